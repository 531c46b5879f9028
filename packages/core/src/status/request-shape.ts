// What a status request's shape says before any route is looked at: its target as a URL (or no path at
// all), whether it announces a body, whether an HTTP/1.1 request lacks its Host.
import type { IncomingMessage } from "node:http";

// An HTTP/1.1 request without a Host header (RFC 9112 3.2: a 400; an empty one is valid), as Node's check.
export function lacksHost(request: IncomingMessage): boolean {
  return (
    request.httpVersionMajor === 1 && request.httpVersionMinor === 1 && request.headers.host === undefined
  );
}

// A body is announced by Transfer-Encoding or a Content-Length other than 0 (`00` is 0 too).
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers["content-length"];
  return request.headers["transfer-encoding"] !== undefined || (length !== undefined && Number(length) !== 0);
}

// The request target as a URL (its path and query); null for a target that is not a path (`*`, which
// was read as `/*`; `//x/y` and `/\x/y`, which new URL reads as host x and path /y, a `\` being a `/` in
// an http URL: `//healthz` and `/\healthz` were `/`, answered 200 whatever /healthz said) or that no URL
// can be made of, such as `http://[` (new URL throws on those: it must not reach the process as an
// unhandled rejection).
export function requestUrl(target: string | undefined): URL | null {
  // Origin form (`/path?query`, not `//…` nor `/\…`) or absolute form (`http://host/path`) only.
  if (target !== undefined && !/^(?:\/(?![/\\])|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/.test(target)) return null;
  try {
    return new URL(target ?? "/", "http://status.invalid");
  } catch {
    return null;
  }
}
