// Concurrent HTTP load through a proxy that records every answer with its time span, so a test can
// judge each one afterwards against what was routed at that moment (see RoutingTimeline).
import { Agent, request } from "node:http";

// What to run: until `signal` aborts (or maxDurationMs passes), round robin over `hosts`.
export interface RecordLoadOptions {
  /** the proxy, e.g. http://127.0.0.1:8080/ */
  url: string;
  hosts: readonly string[];
  signal: AbortSignal;
  /** true: a keep-alive agent (no retries); false: a new connection per request with Connection: close */
  keepAlive: boolean;
  /** parallel clients (default 4) */
  concurrency?: number;
  /** per-request bound (default 5 s) */
  requestTimeoutMs?: number;
  /** hard bound on the whole run (default 120 s) */
  maxDurationMs?: number;
}

// One request: performance.now() when it was sent and when its answer (or error) was complete.
export interface LoadRecord {
  host: string;
  /** how the client connected: a keep-alive agent or a new connection with Connection: close */
  connection: "keep-alive" | "close";
  startedAt: number;
  endedAt: number;
  /** `<body>` of a 200, `<status> <body>` otherwise (body cut at 100 characters); null on an error */
  answer: string | null;
  /** the error code (ECONNRESET, TIMEOUT …), null when an answer came */
  error: string | null;
}

// Runs the load and resolves with every record, oldest first; never rejects because of a failed request.
export async function recordLoad(options: RecordLoadOptions): Promise<LoadRecord[]> {
  const url = new URL(options.url);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const agent = options.keepAlive ? new Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  const endAt = Date.now() + (options.maxDurationMs ?? 120_000);
  const records: LoadRecord[] = [];
  let next = 0;
  const worker = async () => {
    while (!options.signal.aborted && Date.now() < endAt) {
      const host = options.hosts[next++ % options.hosts.length];
      if (host === undefined) return;
      const startedAt = performance.now();
      const answer = await send(url, host, agent, options.requestTimeoutMs ?? 5000);
      const connection = options.keepAlive ? "keep-alive" : "close";
      records.push({ host, connection, startedAt, endedAt: performance.now(), ...answer });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (agent) agent.destroy();
  return records.sort((a, b) => a.startedAt - b.startedAt);
}

function send(
  url: URL,
  host: string,
  agent: Agent | false,
  timeoutMs: number,
): Promise<Pick<LoadRecord, "answer" | "error">> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { host };
    if (agent === false) headers["connection"] = "close";
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname || "/", headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8").slice(0, 100);
          resolve({ answer: res.statusCode === 200 ? body : `${res.statusCode} ${body}`, error: null });
        });
        res.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ answer: null, error: error.code ?? error.message }),
        );
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ answer: null, error: error.code ?? error.message }),
    );
    req.end();
  });
}
