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
  /** `body` already encoded (a kept answer, see withBytes): sent as is, not encoded per request */
  bytes?: Buffer;
}

// `response` with its body encoded once, for an answer kept and served many times: every request
// then sends the same bytes instead of its own copy (64 connections held 64 copies of a 14 MB /config).
export function withBytes(response: StatusResponse): StatusResponse {
  return { ...response, bytes: Buffer.from(response.body, "utf8") };
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
