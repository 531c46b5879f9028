// A tiny read-only HTTP server over a routes table: GET/HEAD only, exact paths, no caching, and a
// close that waits for in-flight answers but never for idle keep-alive clients. It listens on 0.0.0.0
// in the image, so it is bounded: a connection cap (the sidekick's own fds stay free), header/request
// and idle timeouts checked every second, and an optional bearer token on everything but /healthz.
// Every connection the cap or a timeout drops is counted (ConnectionDrops, on each program's /metrics)
// and logged at most once a minute (`status.connections-dropped`).
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import { createConnectionDrops, createDropReporter, type ConnectionDrops } from "./connection-drops.js";
import { responseBytes, textResponse, type StatusResponse, type StatusRoutes } from "./status-response.js";

// Where to listen and what to serve; `logger` gets one line per handler failure.
export interface StatusServerOptions {
  host: string;
  port: number;
  routes: StatusRoutes;
  logger: Logger;
  /** STATUS_TOKEN: when set, every path but /healthz needs `Authorization: Bearer <token>` */
  token?: string | null;
  /** connections beyond this are closed at once (default 64) */
  maxConnections?: number;
  /** a request's headers, the whole request, and an idle connection are cut after this (default 10 s) */
  timeoutMs?: number;
  /** where dropped connections are counted (default: a record of the server's own) */
  drops?: ConnectionDrops;
  /** at most one `status.connections-dropped` line per this many ms (default 60 s) */
  dropLogIntervalMs?: number;
}

// The path that stays open without the token: what Rancher's (and Docker's) health check asks.
export const OPEN_STATUS_PATH = "/healthz";

// A listening status server: the bound address (port resolved when 0 was asked) and close().
export interface StatusServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** the connections it dropped, by reason (options.drops when given) */
  readonly drops: Readonly<ConnectionDrops>;
  close(): Promise<void>;
}

// The most requests one connection may have unanswered: health checks and scrapers send one at a time;
// a client that pipelines past this is cut (and counted) instead of starting a handler per request.
export const MAX_PIPELINED_REQUESTS = 8;

// How long close() waits for answers in flight before cutting the remaining connections.
const CLOSE_GRACE_MS = 2000;

// Listens on host:port; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, EACCES...).
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxConnections = options.maxConnections ?? 64;
  const drops = options.drops ?? createConnectionDrops();
  // Sockets whose last request was answered: a timeout there is the end of an idle keep-alive
  // connection, not a drop.
  const answered = new WeakSet<Socket>();
  // Requests started and not yet answered (or aborted), per socket.
  const unanswered = new WeakMap<Socket, number>();
  // Node checks the header and request timeouts only every connectionsCheckingInterval (30 s by
  // default): a slow client stayed ~40 s. Idle sockets are cut by server.timeout.
  const server = createServer(
    { connectionsCheckingInterval: Math.min(1000, timeoutMs), requestTimeout: timeoutMs },
    (request, response) => {
      const socket = request.socket;
      // Node parses a whole chunk of pipelined requests at once: the rest of a cut one arrive here too.
      if (socket.destroyed) return;
      const started = (unanswered.get(socket) ?? 0) + 1;
      if (started > MAX_PIPELINED_REQUESTS) {
        reporter.count("pipelined");
        socket.destroy();
        return;
      }
      unanswered.set(socket, started);
      response.once("close", () => unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1));
      answered.delete(socket);
      response.once("finish", () => answered.add(socket));
      void answer(options, request, response).catch((error: unknown) => {
        // Nothing a client sends may end the process: an unforeseen failure is logged and the
        // connection dropped.
        options.logger.error({ event: "status.answer-failed", err: String(error) }, "status answer failed");
        response.destroy();
      });
    },
  );
  server.headersTimeout = timeoutMs;
  server.keepAliveTimeout = Math.min(5_000, timeoutMs);
  server.timeout = timeoutMs;
  server.maxConnections = maxConnections;
  const reporter = createDropReporter({
    drops,
    logger: options.logger,
    intervalMs: options.dropLogIntervalMs ?? 60_000,
    maxConnections,
    timeoutMs,
  });
  // Node closes a connection over the cap itself ('drop'), answers 408 to a request past the header
  // or request timeout and destroys the socket with ERR_HTTP_REQUEST_TIMEOUT, and destroys a socket
  // idle for server.timeout (or an idle keep-alive one, after an answer): listening changes none of it.
  server.on("drop", () => reporter.count("max_connections"));
  server.on("connection", (socket: Socket) => {
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") reporter.count("timeout");
    });
    socket.on("timeout", () => {
      if (!answered.has(socket)) reporter.count("timeout");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) =>
    options.logger.error({ event: "status.error", err: String(error) }, "status listener error"),
  );
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    host: options.host,
    port,
    url: `http://${shownHost}:${port}`,
    drops,
    close: async () => {
      await closeServer(server);
      reporter.close();
    },
  };
}

async function answer(options: StatusServerOptions, request: IncomingMessage, response: ServerResponse) {
  let result: StatusResponse;
  const url = requestUrl(request.url);
  const handler =
    url !== null && Object.hasOwn(options.routes, url.pathname) ? options.routes[url.pathname] : undefined;
  if (url === null) {
    result = textResponse("the request target is not a path", 400);
  } else if (url.pathname !== OPEN_STATUS_PATH && !authorized(options.token ?? null, request)) {
    result = textResponse(`a bearer token is needed (STATUS_TOKEN); ${OPEN_STATUS_PATH} is open`, 401);
    response.setHeader("www-authenticate", 'Bearer realm="status"');
  } else if (request.method !== "GET" && request.method !== "HEAD") {
    result = textResponse("only GET and HEAD are supported", 405);
    response.setHeader("allow", "GET, HEAD");
  } else if (url.pathname === "/" || handler === undefined) {
    const paths = Object.keys(options.routes).sort().join("\n");
    result = textResponse(paths, url.pathname === "/" ? 200 : 404);
  } else {
    try {
      result = await handler({ path: url.pathname, query: url.searchParams });
    } catch (error) {
      options.logger.error(
        { event: "status.handler-failed", path: url.pathname, err: String(error) },
        `status route ${url.pathname} failed`,
      );
      result = textResponse(`internal error: ${String(error)}`, 500);
    }
  }
  const body = responseBytes(result);
  response.writeHead(result.status, {
    "content-type": result.contentType,
    "content-length": body.length,
    "cache-control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

// The request target as a URL (its path and query); null for a target no URL can be made of, such as
// `//` or `http://[` (new URL throws on those: it must not reach the process as an unhandled rejection).
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? "/", "http://status.invalid");
  } catch {
    return null;
  }
}

// No token configured, or `Authorization: Bearer <token>` (compared in constant time).
function authorized(token: string | null, request: IncomingMessage): boolean {
  if (token === null || token === "") return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1] ?? ""), digest(token));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
