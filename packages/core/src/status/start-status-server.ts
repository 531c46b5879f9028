// A tiny read-only HTTP server over a routes table: GET/HEAD only, exact paths, no caching, and a
// close that waits for in-flight answers but never for idle keep-alive clients. It listens on 0.0.0.0
// in the image, so it is bounded: a connection cap (the sidekick's own fds stay free) shared between
// client addresses (share-connections.ts: one address cannot hold it all), header/request and idle
// timeouts checked every second, at most MAX_ANSWER_BYTES_IN_FLIGHT of large answers waiting for
// slow readers unless one alone is larger (a 503 past it), and an optional bearer token on everything but
// /healthz.
// Every connection the cap, a timeout, a body, the HTTP parser or the listener's own 400s (no Host, a
// target that is not a path) drop, every 401 and busy 503, is counted (ConnectionDrops, on each program's
// /metrics) and logged at most once a minute (`status.connections-dropped`).
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { answerStatusRequest, OPEN_STATUS_PATH } from "./answer-status-request.js";
import { AnswersInFlight } from "./answers-in-flight.js";
import { createConnectionDrops, createDropReporter, type ConnectionDrops } from "./connection-drops.js";
import { closeServer } from "./close-server.js";
import { countNodeRefusals, type DropConnection } from "./count-node-refusals.js";
import { shareConnections } from "./share-connections.js";
import type { StatusServer, StatusServerOptions } from "./status-server.js";

export { OPEN_STATUS_PATH };

// The most requests one connection may have unanswered: health checks and scrapers send one at a time;
// a client that pipelines past this is cut (and counted) instead of starting a handler per request.
export const MAX_PIPELINED_REQUESTS = 8;

// Listens on host:port; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, EACCES...).
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxConnections = options.maxConnections ?? 64;
  const drops = options.drops ?? createConnectionDrops();
  const inFlight = new AnswersInFlight(options.maxAnswerBytesInFlight);
  // Sockets whose last request was answered, with the bytes they had sent by then: a timeout there is
  // the end of an idle keep-alive connection, not a drop, unless a next request began since (its headers
  // stalled: Node cuts it at the keep-alive timeout, before its header timeout would answer 408).
  const answered = new WeakMap<Socket, number>();
  // Requests started and not yet answered (or aborted), per socket.
  const unanswered = new WeakMap<Socket, number>();
  // Each connection is counted as dropped once, for its first reason (a body refused, then the parser's
  // error on that body: one drop).
  const dropped = new WeakSet<Socket>();
  const drop: DropConnection = (socket, reason) => {
    if (dropped.has(socket)) return;
    dropped.add(socket);
    reporter.count(reason);
  };
  // Node checks the header and request timeouts only every connectionsCheckingInterval (30 s by
  // default): a slow client stayed ~40 s. Idle sockets are cut by server.timeout.
  const server = createServer(
    {
      connectionsCheckingInterval: Math.min(1000, timeoutMs),
      requestTimeout: timeoutMs,
      requireHostHeader: false, // refused by answerStatusRequest, counted (Node's own 400 was not)
    },
    (request, response) => {
      const socket = request.socket;
      // Node parses a whole chunk of pipelined requests at once: the rest of a cut one arrive here too.
      if (socket.destroyed) return;
      const started = (unanswered.get(socket) ?? 0) + 1;
      if (started > MAX_PIPELINED_REQUESTS) {
        drop(socket, "pipelined");
        socket.destroy();
        return;
      }
      unanswered.set(socket, started);
      response.once("close", () => unanswered.set(socket, (unanswered.get(socket) ?? 1) - 1));
      answered.delete(socket);
      response.once("finish", () => answered.set(socket, socket.bytesRead));
      const context = {
        routes: options.routes,
        logger: options.logger,
        token: options.token ?? null,
        inFlight,
        // A 401 is a request refused, counted each time; anything else drops the connection.
        reporter: {
          count: (reason: keyof ConnectionDrops) =>
            reason === "unauthorized" || reason === "busy" ? reporter.count(reason) : drop(socket, reason),
        },
      };
      void answerStatusRequest(context, request, response).catch((error: unknown) => {
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
  const reporter = createDropReporter({
    drops,
    logger: options.logger,
    intervalMs: options.dropLogIntervalMs ?? 60_000,
    maxConnections,
    timeoutMs,
  });
  countNodeRefusals(server, drop, () => reporter.count("max_connections"));
  shareConnections(server, maxConnections, drop, (socket) => (unanswered.get(socket) ?? 0) > 0);
  // Node destroys a socket idle for server.timeout (or an idle keep-alive one, after an answer). Idle
  // after an answer is a normal keep-alive end, unless a pipelined request is still unanswered or bytes
  // of a next one came.
  server.on("connection", (socket: Socket) => {
    socket.on("timeout", () => {
      const idle = answered.get(socket) === socket.bytesRead && (unanswered.get(socket) ?? 0) === 0;
      if (!idle) drop(socket, "timeout");
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
    get answerBytesInFlight() {
      return inFlight.bytes;
    },
    close: async () => {
      await closeServer(server);
      reporter.close();
    },
  };
}
