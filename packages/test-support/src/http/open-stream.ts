// A long-lived streaming request through the proxy (a backend's GET /stream): it records which backend
// answered, how many lines arrived and when the last one did, and whether the stream was cut.
import { request, type ClientRequest } from "node:http";

// What to open.
export interface StreamOptions {
  /** the proxy, e.g. http://127.0.0.1:8080/ */
  url: string;
  /** the Host header */
  host: string;
  /** the path (default /stream) */
  path?: string;
  /** bound on getting the response headers (default 5 s) */
  timeoutMs?: number;
}

// An open stream.
export interface OpenStream {
  /** the answering backend (its x-backend header) */
  readonly backend: string;
  /** the client side's port (HAProxy's `show sess` names the stream by it: `src=<address>:<port>`) */
  readonly localPort: number;
  /** lines received so far */
  readonly lines: number;
  /** performance.now() of the last data received */
  readonly lastDataAt: number;
  /** why it ended ("end", "aborted", an error code) while still wanted; null while it runs */
  readonly cut: string | null;
  /** end it from this side (not counted as cut) */
  close(): void;
}

// Opens the stream and resolves once the 200 headers arrived; rejects on any other answer or error.
export function openStream(options: StreamOptions): Promise<OpenStream> {
  const url = new URL(options.url);
  return new Promise((resolve, reject) => {
    let req: ClientRequest | null = null;
    let closing = false;
    let cut: string | null = null;
    let lines = 0;
    let lastDataAt = performance.now();
    const markCut = (reason: string) => {
      if (!closing && cut === null) cut = reason;
    };
    const timer = setTimeout(
      () => req?.destroy(new Error("no stream headers in time")),
      options.timeoutMs ?? 5000,
    );
    req = request(
      {
        hostname: url.hostname,
        port: url.port,
        path: options.path ?? "/stream",
        headers: { host: options.host },
        agent: false,
      },
      (res) => {
        clearTimeout(timer);
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`stream for ${options.host}: status ${res.statusCode}`));
          return;
        }
        const backend = String(res.headers["x-backend"] ?? "");
        const localPort = res.socket.localPort ?? 0;
        res.on("data", (chunk: Buffer) => {
          lines += chunk.toString("utf8").split("\n").length - 1;
          lastDataAt = performance.now();
        });
        res.on("end", () => markCut("end"));
        res.on("aborted", () => markCut("aborted"));
        res.on("error", (error: NodeJS.ErrnoException) => markCut(error.code ?? error.message));
        res.on("close", () => markCut("closed"));
        resolve({
          backend,
          localPort,
          get lines() {
            return lines;
          },
          get lastDataAt() {
            return lastDataAt;
          },
          get cut() {
            return cut;
          },
          close() {
            closing = true;
            req?.destroy();
          },
        });
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      markCut(error.code ?? error.message);
      reject(error);
    });
    req.end();
  });
}
