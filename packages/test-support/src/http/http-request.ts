// One HTTP(S) request with any Host header (fetch forbids that), answered as status, headers and body.
import { request as httpRequestRaw, type Agent, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequestRaw } from "node:https";

// What to send.
export interface RequestOptions {
  url: string;
  /** Host header (default: the URL's host) */
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  agent?: Agent | false;
  /** TLS server name for https (default: host without port); certificates are not verified */
  servername?: string;
}

// The answer.
export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

// Send and read the whole answer; rejects on network errors and after timeoutMs (default 5 s).
export function httpRequest(options: RequestOptions): Promise<SimpleResponse> {
  const url = new URL(options.url);
  const https = url.protocol === "https:";
  const headers: Record<string, string> = { ...options.headers };
  if (options.host !== undefined) headers["host"] = options.host;
  const servername = options.servername ?? (options.host ?? url.hostname).replace(/:\d+$/, "");
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequestRaw : httpRequestRaw)(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? "GET",
        headers,
        agent: options.agent ?? false,
        ...(https ? { rejectUnauthorized: false, servername } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 5000, () =>
      req.destroy(new Error(`no answer from ${options.url} within ${options.timeoutMs ?? 5000} ms`)),
    );
    req.on("error", reject);
    req.end();
  });
}
