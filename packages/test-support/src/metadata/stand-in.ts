// The running stand-in behind the MetadataServer interface: HTTP server, current reload, fault.
import { setMaxListeners } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { handleRequest, type RequestContext } from "./handle-request.js";
import { LongPollHub } from "./long-poll-hub.js";
import { RequestLog } from "./request-log.js";
import { Snapshot } from "./snapshot.js";
import type { MetadataServer, MetadataServerOptions } from "./start-metadata-server.js";
import { TreeSet, type TreeSource } from "./tree-set.js";
import type { Host, MetadataFault, ShuffleMode, Tree } from "./types.js";

// One stand-in instance; all its state lives here (no module-level state).
export class StandIn implements MetadataServer, RequestContext {
  readonly requests: RequestLog;
  readonly log: RequestLog;
  readonly hub: LongPollHub;
  readonly xff: boolean;
  snapshot: Snapshot;
  fault: MetadataFault | null = null;
  private readonly host: string;
  private readonly shuffle: ShuffleMode;
  private readonly defaultHost: Host | null | undefined;
  private readonly closer = new AbortController();
  private readonly http: Server;
  private boundPort = 0;

  constructor(source: TreeSource, options: MetadataServerOptions) {
    this.host = options.host ?? "127.0.0.1";
    this.shuffle = options.shuffle ?? "per-reload";
    this.xff = options.xff ?? false;
    this.defaultHost = options.defaultHost;
    this.requests = this.log = new RequestLog(options.requestLogLimit);
    this.hub = new LongPollHub(options.longPollTickMs ?? 5000);
    this.snapshot = new Snapshot(new TreeSet(source, this.defaultHost), this.shuffle);
    this.http = createServer((req, res) => {
      handleRequest(this, req, res).catch(() => res.destroy());
    });
    this.http.keepAliveTimeout = 0; // Go's server keeps idle connections open.
    setMaxListeners(0, this.closer.signal); // one listener per open request
  }

  get closing(): AbortSignal {
    return this.closer.signal;
  }
  get port(): number {
    return this.boundPort;
  }
  get hostPort(): string {
    return `${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.boundPort}`;
  }
  get url(): string {
    return `http://${this.hostPort}`;
  }
  get version(): string {
    return this.snapshot.version;
  }
  get waitingLongPolls(): number {
    return this.hub.size;
  }

  getTree(apiVersion = "2015-12-19"): Tree {
    const entry = this.snapshot.trees.get(apiVersion);
    return entry === undefined ? {} : (structuredClone(entry.source) as Tree);
  }
  setTree(tree: Tree): string {
    return this.install(new TreeSet({ tree }, this.defaultHost));
  }
  setTrees(trees: Record<string, Tree>): string {
    return this.install(new TreeSet({ trees }, this.defaultHost));
  }
  update(edit: (tree: Tree) => Tree | void): string {
    const copy = this.snapshot.trees.editableTree();
    return this.setTree(edit(copy) ?? copy);
  }
  reload(): string {
    return this.install(this.snapshot.trees);
  }

  async setFault(fault: MetadataFault | null): Promise<void> {
    const wasRefusing = this.fault?.kind === "refuse";
    this.fault = fault;
    if (fault?.kind === "refuse" && !wasRefusing) {
      this.http.close();
      this.http.closeAllConnections();
    } else if (wasRefusing && fault?.kind !== "refuse") await this.listen(this.boundPort);
    this.hub.broadcast();
  }

  async listen(port: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          this.http.once("error", reject);
          this.http.listen(port, this.host, () => {
            this.http.off("error", reject);
            resolve();
          });
        });
        this.boundPort = (this.http.address() as AddressInfo).port;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 20) throw err;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closer.signal.aborted) return;
    this.closer.abort();
    this.hub.close();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
  }

  private install(trees: TreeSet): string {
    this.snapshot = new Snapshot(trees, this.shuffle);
    this.hub.broadcast();
    return this.snapshot.version;
  }
}
