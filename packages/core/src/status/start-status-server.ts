// A tiny read-only HTTP server over a routes table: GET/HEAD only, exact paths, no caching, and a
// close that waits for in-flight answers but never for idle keep-alive clients.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { textResponse, type StatusResponse, type StatusRoutes } from "./status-response.js";

// Where to listen and what to serve; `logger` gets one line per handler failure.
export interface StatusServerOptions {
  host: string;
  port: number;
  routes: StatusRoutes;
  logger: Logger;
}

// A listening status server: the bound address (port resolved when 0 was asked) and close().
export interface StatusServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

// How long close() waits for answers in flight before cutting the remaining connections.
const CLOSE_GRACE_MS = 2000;

// Listens on host:port; rejects with the listen error (EADDRINUSE, EADDRNOTAVAIL, EACCES...).
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const server = createServer((request, response) => {
    void answer(options, request, response);
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
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
  return { host: options.host, port, url: `http://${shownHost}:${port}`, close: () => closeServer(server) };
}

async function answer(options: StatusServerOptions, request: IncomingMessage, response: ServerResponse) {
  let result: StatusResponse;
  const url = new URL(request.url ?? "/", "http://status.invalid");
  const handler = Object.hasOwn(options.routes, url.pathname) ? options.routes[url.pathname] : undefined;
  if (request.method !== "GET" && request.method !== "HEAD") {
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
  const body = Buffer.from(result.body, "utf8");
  response.writeHead(result.status, {
    "content-type": result.contentType,
    "content-length": body.length,
    "cache-control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
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
