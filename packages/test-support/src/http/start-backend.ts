// A real HTTP backend on loopback that answers 200 with its own name, optionally behind PROXY protocol.
// GET /stream answers a never-ending stream (one `<name> <n>` line every streamIntervalMs) for
// long-lived connection tests.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { parseProxyHeader, type ProxyHeader } from "./parse-proxy-header.js";

// How to start a backend.
export interface BackendOptions {
  /** the name it answers with (body and `x-backend` header) */
  name: string;
  /** a loopback address such as 127.0.0.21 (default 127.0.0.1) */
  host?: string;
  /** 0 (default) picks a free port */
  port?: number;
  /** expect a PROXY v1/v2 header on each connection; connections without one are closed */
  proxyProtocol?: boolean;
  /** wait this long before answering (in-flight requests during reloads and stops) */
  delayMs?: number;
  /** answer only once this settles (then delayMs): a request in flight for as long as a test needs it */
  hold?: Promise<unknown>;
  /** idle keep-alive timeout, 120 s by default so HAProxy's pooled connections are not cut under it */
  keepAliveTimeoutMs?: number;
  /** how often GET /stream writes a line (default 100 ms) */
  streamIntervalMs?: number;
}

// One request as the backend saw it.
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  proxy: ProxyHeader | null;
}

// A running backend.
export interface Backend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** host:port, as a server line in backends.cfg needs it */
  readonly address: string;
  /** requests answered so far */
  readonly requests: number;
  /** connections refused for a missing or bad PROXY header */
  readonly rejectedConnections: number;
  /** GET /stream answers still being written */
  readonly openStreams: number;
  /** the last 100 requests, oldest first */
  readonly seen: readonly SeenRequest[];
  close(): Promise<void>;
}

// Start a backend and resolve once it listens.
export async function startBackend(options: BackendOptions): Promise<Backend> {
  const host = options.host ?? "127.0.0.1";
  const proxyBySocket = new WeakMap<Socket, ProxyHeader>();
  const seen: SeenRequest[] = [];
  let requests = 0;
  let rejectedConnections = 0;
  let openStreams = 0;

  const http = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const proxy = proxyBySocket.get(req.socket) ?? null;
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, proxy });
    if (seen.length > 100) seen.shift();
    req.resume();
    if (req.url?.startsWith("/stream")) {
      openStreams += 1;
      res.writeHead(200, { "content-type": "text/plain", "x-backend": options.name });
      let line = 0;
      const write = () => res.write(`${options.name} ${line++}\n`);
      write();
      const timer = setInterval(write, options.streamIntervalMs ?? 100);
      res.on("close", () => {
        clearInterval(timer);
        openStreams -= 1;
      });
      return;
    }
    const answer = () => {
      requests += 1;
      const headers: Record<string, string> = { "content-type": "text/plain", "x-backend": options.name };
      if (proxy)
        headers["x-proxy-protocol"] =
          `v${proxy.version} ${proxy.sourceAddress ?? "-"}:${proxy.sourcePort ?? "-"}`;
      res.writeHead(200, headers);
      res.end(options.name);
    };
    const delayed = () => (options.delayMs ? setTimeout(answer, options.delayMs) : answer());
    if (options.hold) void options.hold.then(delayed, delayed);
    else delayed();
  });
  http.keepAliveTimeout = options.keepAliveTimeoutMs ?? 120_000;
  http.headersTimeout = http.keepAliveTimeout + 5_000;

  const rawSockets = new Set<Socket>();
  let listener: NetServer | typeof http = http;
  if (options.proxyProtocol) {
    listener = createNetServer((socket) => {
      rawSockets.add(socket);
      socket.on("close", () => rawSockets.delete(socket));
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const parsed = parseProxyHeader(buffered);
        if (parsed.kind === "incomplete") return;
        socket.removeListener("data", onData);
        if (parsed.kind === "invalid") {
          rejectedConnections += 1;
          socket.destroy();
          return;
        }
        socket.pause();
        proxyBySocket.set(socket, parsed.header);
        const rest = buffered.subarray(parsed.length);
        if (rest.length > 0) socket.unshift(rest);
        http.emit("connection", socket);
        socket.resume();
      };
      socket.on("data", onData);
      socket.on("error", () => undefined);
    });
  }

  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (listener.address() as AddressInfo).port;

  return {
    name: options.name,
    host,
    port,
    address: `${host}:${port}`,
    get requests() {
      return requests;
    },
    get openStreams() {
      return openStreams;
    },
    get rejectedConnections() {
      return rejectedConnections;
    },
    seen,
    async close() {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      http.closeAllConnections();
      for (const socket of rawSockets) socket.destroy();
      await closed;
    },
  };
}
