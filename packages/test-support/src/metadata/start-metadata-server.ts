// The stand-in Rancher metadata server: rancher-metadata v0.10.4's HTTP behaviour over given trees.
import type { RequestLog } from "./request-log.js";
import { StandIn } from "./stand-in.js";
import type { TreeSource } from "./tree-set.js";
import type { Host, MetadataFault, ShuffleMode, Tree } from "./types.js";

// How to start a stand-in. Give `tree` (2015-12-19; the other API versions are derived from it) or
// `trees` (one tree per API version, served as given); neither is an answers-less server.
export interface MetadataServerOptions {
  tree?: Tree;
  trees?: Record<string, Tree>;
  host?: string;
  port?: number;
  longPollTickMs?: number;
  shuffle?: ShuffleMode;
  xff?: boolean;
  defaultHost?: Host | null;
  requestLogLimit?: number;
}

// A running stand-in. Every setTree/setTrees/update/reload is a reload: a new random version that
// wakes the long polls at once. The server owns the trees it is given (do not mutate them afterwards);
// update() edits a deep copy of the 2015-12-19 tree (other API versions are then derived from it) and
// getTree() returns a deep copy. setFault() resolves once a `refuse` fault stopped or resumed listening.
export interface MetadataServer {
  readonly url: string;
  readonly hostPort: string;
  readonly port: number;
  readonly version: string;
  readonly requests: RequestLog;
  readonly fault: MetadataFault | null;
  readonly waitingLongPolls: number;
  getTree(apiVersion?: string): Tree;
  setTree(tree: Tree): string;
  setTrees(trees: Record<string, Tree>): string;
  update(edit: (tree: Tree) => Tree | void): string;
  reload(): string;
  setFault(fault: MetadataFault | null): Promise<void>;
  close(): Promise<void>;
}

// Starts a stand-in on host:port (default 127.0.0.1 and an ephemeral port) and resolves once it listens.
export async function startMetadataServer(options: MetadataServerOptions = {}): Promise<MetadataServer> {
  if (options.tree !== undefined && options.trees !== undefined)
    throw new TypeError("give tree or trees, not both");
  const source: TreeSource =
    options.tree !== undefined ? { tree: options.tree } : { trees: options.trees ?? {} };
  const server = new StandIn(source, options);
  await server.listen(options.port ?? 0);
  return server;
}
