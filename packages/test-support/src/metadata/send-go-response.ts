// Writing a response with the framing Go's net/http gives a handler's output.
import type { ServerResponse } from "node:http";
import { sniffContentType } from "./sniff-content-type.js";

// Go buffers this much of a handler's output before it commits to chunked encoding.
const GO_CHUNKING_THRESHOLD = 2048;

// A response as the Go handler would produce it, before framing.
export interface GoResponse {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

// A successful metadata answer: CORS header set, Content-Type left for sniffing.
export function goOk(body: Buffer | string, status = 200): GoResponse {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  return { status, body: bytes, headers: { "Access-Control-Allow-Origin": "*" } };
}

// Go's http.Error(w, msg, status): text/plain, nosniff, the message plus a newline.
export function goError(status: number, message: string, cors = true): GoResponse {
  const headers: Record<string, string> = {
    "Content-Type": "text/plain; charset=utf-8",
    "X-Content-Type-Options": "nosniff",
  };
  if (cors) headers["Access-Control-Allow-Origin"] = "*";
  return { status, body: Buffer.from(message + "\n"), headers };
}

// Sends a GoResponse framed like Go: sniffed Content-Type for a non-empty body, Content-Length up to
// 2048 bytes, chunked above; HEAD gets the headers only. `cut` sends half the body then drops the socket.
export function sendGoResponse(
  res: ServerResponse,
  isHead: boolean,
  response: GoResponse,
  cut = false,
): void {
  const { body } = response;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (body.length > 0 && !res.hasHeader("Content-Type"))
    res.setHeader("Content-Type", sniffContentType(body));
  if (body.length > 0 && body.length <= GO_CHUNKING_THRESHOLD) res.setHeader("Content-Length", body.length);
  if (isHead) {
    res.end();
    return;
  }
  if (cut) {
    res.flushHeaders();
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return;
  }
  if (body.length > GO_CHUNKING_THRESHOLD) {
    res.write(body);
    res.end();
  } else res.end(body);
}
