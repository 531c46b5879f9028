// A bare HTTP/1.1 request for asserting on exact responses (framing headers included, no redirects followed).
import { request, type IncomingHttpHeaders } from "node:http";

// A response as it came off the wire.
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  elapsedMs: number;
}

// Sends one request on a fresh connection and collects the whole response. Rejects on a transport
// error (refused, reset, cut short) or after `timeoutMs` (default 30 s).
export function fetchRaw(
  url: string,
  options: { method?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("aborted", () => reject(new Error("response aborted")));
        res.on("end", () => {
          if (!res.complete) {
            reject(new Error("response ended before it was complete"));
            return;
          }
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            elapsedMs: Date.now() - started,
          });
        });
      },
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end();
  });
}
