// One request of a status listener answered: a body refused (413), an HTTP/1.1 request without Host or
// with a target that is not a path refused (400), an Upgrade ignored (the connection closed after the
// answer), the bearer token, GET/HEAD only, exact paths, and a handler's failure logged but never shown
// (the client gets a fixed text).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AnswersInFlight } from "./answers-in-flight.js";
import type { DropReporter } from "./connection-drops.js";
import { hasBody, lacksHost, requestUrl } from "./request-shape.js";
import { responseBytes, textResponse, type StatusResponse, type StatusRoutes } from "./status-response.js";

// The path that stays open without the token: what Rancher's (and Docker's) health check asks.
export const OPEN_STATUS_PATH = "/healthz";

// What answering needs from the listener.
export interface AnswerContext {
  routes: StatusRoutes;
  logger: Logger;
  token: string | null;
  reporter: Pick<DropReporter, "count">;
  /** the listener's large answers not sent yet: a new one past its limit is answered 503 */
  inFlight: AnswersInFlight;
}

// Answer `request`; a request with a body is answered 413 and its connection closed once the answer is
// out (no status route takes a body, and an unread one would be read and thrown away until the timeout).
export async function answerStatusRequest(
  context: AnswerContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { routes, logger, token, reporter } = context;
  let result: StatusResponse;
  const url = requestUrl(request.url);
  const handler = url !== null && Object.hasOwn(routes, url.pathname) ? routes[url.pathname] : undefined;
  if (hasBody(request)) {
    reporter.count("body");
    result = textResponse("a request body is not accepted", 413);
    closeAfter(request, response);
  } else if (lacksHost(request)) {
    // Node's own 400 for it (requireHostHeader) came before any request event: never counted.
    reporter.count("malformed");
    result = textResponse("an HTTP/1.1 request needs a Host header", 400);
    closeAfter(request, response);
  } else if (url === null) {
    reporter.count("malformed");
    result = textResponse("the request target is not a path", 400);
    closeAfter(request, response);
  } else if (url.pathname !== OPEN_STATUS_PATH && !authorized(token, request)) {
    reporter.count("unauthorized");
    result = textResponse(`a bearer token is needed (STATUS_TOKEN); ${OPEN_STATUS_PATH} is open`, 401);
    response.setHeader("www-authenticate", 'Bearer realm="status"');
  } else if (request.method !== "GET" && request.method !== "HEAD") {
    result = textResponse("only GET and HEAD are supported", 405);
    response.setHeader("allow", "GET, HEAD");
  } else if (url.pathname === "/" || handler === undefined) {
    const paths = Object.keys(routes).sort().join("\n");
    result = textResponse(paths, url.pathname === "/" ? 200 : 404);
  } else {
    try {
      result = await handler({ path: url.pathname, query: url.searchParams });
    } catch (error) {
      logger.error(
        { event: "status.handler-failed", path: url.pathname, err: String(error) },
        `status route ${url.pathname} failed`,
      );
      // The detail (paths, errno text) stays in the log: /healthz needs no token.
      result = textResponse("internal error (logged as status.handler-failed)", 500);
    }
  }
  // An ignored Upgrade leaves Node's parser stopped: the connection's later bytes are read and thrown
  // away, not parsed, until the timeout (8 clients streamed 1.8 GB/s into the generator, 62 % of a core).
  // The answer is the same, and the connection ends with it.
  if (request.headers.upgrade !== undefined) response.setHeader("connection", "close");
  let body = responseBytes(result);
  // A large answer is refused while others hold the listener's budget (slow readers each keeping a
  // version of /config); small ones (/healthz, /metrics) always go. A client gone while its handler ran
  // is sent nothing, and its response's `close` has passed: taking its body would hold it for good. The
  // same for its socket: an answer queued behind an earlier one on its connection (pipelined) never sees
  // its `close` when the connection goes (Node emits it only for the answer being sent), so the budget is
  // also released when the socket closes; without it each such answer held its body's bytes for good.
  const socket = request.socket;
  if (request.method !== "HEAD" && !response.destroyed && !socket.destroyed) {
    const release = context.inFlight.admit(body);
    if (release === null) {
      reporter.count("busy");
      result = textResponse(
        `busy: ${context.inFlight.bytes} bytes of large answers are still being sent to other clients; try again`,
        503,
      );
      response.setHeader("retry-after", "5");
      body = responseBytes(result);
    } else {
      const done = () => {
        release();
        response.off("close", done);
        socket.off("close", done);
      };
      response.once("close", done);
      socket.once("close", done);
    }
  }
  response.writeHead(result.status, {
    "content-type": result.contentType,
    "content-length": body.length,
    "cache-control": "no-store",
    // Answers may echo a query (a 404 naming `?file=`): never sniffed into anything but their type.
    "x-content-type-options": "nosniff",
  });
  response.end(request.method === "HEAD" ? undefined : body);
}

// The connection ends once the answer is out: what is left of the request is never read.
function closeAfter(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader("connection", "close");
  response.once("finish", () => request.socket.destroy());
}

// No token configured, or `Authorization: Bearer <token>` (compared in constant time).
function authorized(token: string | null, request: IncomingMessage): boolean {
  if (token === null || token === "") return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  if (!match) return false;
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(match[1] ?? ""), digest(token));
}
