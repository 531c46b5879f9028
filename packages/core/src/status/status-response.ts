// What a status route answers, and the two helpers every route uses: JSON and plain text.

// One request to the status listener: the path and the query string (GET and HEAD only).
export interface StatusRequest {
  path: string;
  query: URLSearchParams;
}

// One answer: status code, content type and the whole body (status answers are small).
export interface StatusResponse {
  status: number;
  contentType: string;
  body: string;
  /** a body encoded once (a kept answer, see withBytes): sent as is while `body` is still that text; a
   * wrapper that rewrites `body` (and spreads the rest) gets its new text encoded, never stale bytes */
  encoded?: { body: string; bytes: Buffer };
}

// `response` with its body encoded once, for an answer kept and served many times: every request
// then sends the same bytes instead of its own copy (64 connections held 64 copies of a 14 MB /config).
export function withBytes(response: StatusResponse): StatusResponse {
  return { ...response, encoded: { body: response.body, bytes: Buffer.from(response.body, "utf8") } };
}

// The bytes to send for `response`: the kept encoding when it is still of its body.
export function responseBytes(response: StatusResponse): Buffer {
  const { encoded } = response;
  return encoded !== undefined && encoded.body === response.body
    ? encoded.bytes
    : Buffer.from(response.body, "utf8");
}

// A route handler; it may be async (e.g. reading the running config from disk).
export type StatusHandler = (request: StatusRequest) => StatusResponse | Promise<StatusResponse>;

// The routes of one listener: exact path ("/healthz") to handler.
export type StatusRoutes = Readonly<Record<string, StatusHandler>>;

// A JSON answer, indented so `curl` output is readable, ending with a newline.
export function jsonResponse(value: unknown, status = 200): StatusResponse {
  return {
    status,
    contentType: "application/json; charset=utf-8",
    body: `${JSON.stringify(value, null, 2)}\n`,
  };
}

// A plain-text answer (a newline is added when the body lacks one).
export function textResponse(
  body: string,
  status = 200,
  contentType = "text/plain; charset=utf-8",
): StatusResponse {
  return { status, contentType, body: body === "" || body.endsWith("\n") ? body : `${body}\n` };
}
