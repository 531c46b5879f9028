// Concurrent HTTP load through a proxy that counts a request as ok only when it got 200 from the
// expected backend: the measure of "no dropped request" while reloading. Bounded in count and time.
import { Agent, request, type IncomingHttpHeaders } from "node:http";

// One host to ask for, and who must answer: a backend name (the body) or a predicate.
export interface LoadTarget {
  host: string;
  expect: string | ((answer: { status: number; body: string; headers: IncomingHttpHeaders }) => boolean);
}

// What to run. At least one of durationMs, signal, maxRequests ends it; maxDurationMs always does.
export interface LoadOptions {
  /** the proxy, e.g. http://127.0.0.1:8080/ */
  url: string;
  targets: readonly LoadTarget[];
  /** parallel clients (default 16) */
  concurrency?: number;
  /** true: a keep-alive agent (no retries); false: a new connection per request with Connection: close */
  keepAlive: boolean;
  durationMs?: number;
  signal?: AbortSignal;
  maxRequests?: number;
  /** per-request bound (default 5 s) */
  requestTimeoutMs?: number;
  /** hard bound on the whole run (default 120 s) */
  maxDurationMs?: number;
  /** failures kept as samples (default 20) */
  failureSampleLimit?: number;
  /** each client waits this long after each answer before its next request (default 0: at once); a
   * load that only has to be there, not as fast as it can go, costs a fraction of the CPU */
  pauseMs?: number;
}

// One failed request.
export interface LoadFailure {
  host: string;
  status: number | null;
  error: string | null;
  body: string;
}

// Totals: sent = ok + failed.
export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  failures: LoadFailure[];
  /** failed requests by error code or `status <n>` / `wrong backend` */
  failureKinds: Record<string, number>;
  durationMs: number;
  requestsPerSecond: number;
}

// Run the load until a bound is reached; never rejects because of request failures.
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.durationMs === undefined && options.signal === undefined && options.maxRequests === undefined)
    throw new TypeError("runLoad needs durationMs, signal or maxRequests");
  if (options.targets.length === 0) throw new TypeError("runLoad needs at least one target");
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const url = new URL(options.url);
  const agent = options.keepAlive ? new Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  const started = Date.now();
  const endAt = started + Math.min(options.durationMs ?? Infinity, options.maxDurationMs ?? 120_000);
  const result: LoadResult = {
    sent: 0,
    ok: 0,
    failed: 0,
    failures: [],
    failureKinds: {},
    durationMs: 0,
    requestsPerSecond: 0,
  };
  const sampleLimit = options.failureSampleLimit ?? 20;
  const pauseMs = Math.max(0, options.pauseMs ?? 0);
  let next = 0;

  const done = () =>
    options.signal?.aborted === true ||
    Date.now() >= endAt ||
    (options.maxRequests !== undefined && result.sent >= options.maxRequests);

  const fail = (failure: LoadFailure, kind: string) => {
    result.failed += 1;
    result.failureKinds[kind] = (result.failureKinds[kind] ?? 0) + 1;
    if (result.failures.length < sampleLimit) result.failures.push(failure);
  };

  const worker = async () => {
    while (!done()) {
      const target = options.targets[next++ % options.targets.length];
      if (!target) break;
      result.sent += 1;
      const answer = await send(url, target.host, agent, options.keepAlive, options.requestTimeoutMs ?? 5000);
      if ("error" in answer) {
        fail({ host: target.host, status: null, error: answer.error, body: "" }, answer.error);
        continue;
      }
      const expected =
        typeof target.expect === "string"
          ? answer.status === 200 && answer.body === target.expect
          : target.expect(answer);
      if (expected) result.ok += 1;
      else
        fail(
          { host: target.host, status: answer.status, error: null, body: answer.body.slice(0, 200) },
          answer.status === 200 ? "wrong backend" : `status ${answer.status}`,
        );
      if (pauseMs > 0 && !done()) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };

  await Promise.all(Array.from({ length: concurrency }, worker));
  if (agent) agent.destroy();
  result.durationMs = Date.now() - started;
  result.requestsPerSecond = Math.round((result.sent * 1000) / Math.max(1, result.durationMs));
  return result;
}

type Answer = { status: number; body: string; headers: IncomingHttpHeaders } | { error: string };

function send(
  url: URL,
  host: string,
  agent: Agent | false,
  keepAlive: boolean,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { host };
    if (!keepAlive) headers["connection"] = "close";
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname || "/", method: "GET", headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            headers: res.headers,
          }),
        );
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end();
  });
}
