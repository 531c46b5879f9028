// The connections a status listener drops instead of answering, counted by reason and logged at most
// once per interval: a flood that keeps /healthz unreachable (64 idle sockets re-opened every 10 s)
// must show up on /metrics and in the log, not only as a health check that fails.
import type { Logger } from "pino";
import { MAX_ANSWER_BYTES_IN_FLIGHT, SMALL_ANSWER_BYTES } from "./answers-in-flight.js";

// Why a connection was dropped: `max_connections`, opened while the listener held its cap (closed at
// once); `timeout`, a request whose headers or body took longer than the timeout, a connection idle
// that long before its answer was sent, or a keep-alive connection cut while the headers of its next
// request stalled (an idle keep-alive connection closed after an answer is normal and not counted);
// `pipelined`, a connection that sent more than MAX_PIPELINED_REQUESTS requests before reading the
// answers (each would start a handler: 4 MB of pipelined requests held the loop for a minute and took
// gigabytes); `body`, a request that carries a body (answered 413 and cut: unread, a 100 GB body kept a
// core busy until the timeout); `malformed`, a request Node's parser refused (400, 431 for headers over
// 16 KiB), a CONNECT, an Expect it cannot meet (417), an HTTP/1.1 request without Host or a target that
// is not a path (400); `evicted`, a connection of the address holding the most (its oldest with no request
// being answered, else its oldest), closed while the listener held its cap to make room for a connection
// from an address holding fewer (share-connections.ts).
export const CONNECTION_DROP_REASONS = [
  "max_connections",
  "timeout",
  "pipelined",
  "body",
  "malformed",
  "evicted",
] as const;

// One of CONNECTION_DROP_REASONS.
export type ConnectionDropReason = (typeof CONNECTION_DROP_REASONS)[number];

// Dropped connections by reason since the process started, `unauthorized`, the requests answered 401 (a
// missing or wrong STATUS_TOKEN: a guessing client shows), and `busy`, the large answers refused 503 because,
// with the others being sent, they would have passed the listener's budget (answers-in-flight.ts): one per
// program, given to its listener (which counts) and read by its /metrics at scrape time.
export type ConnectionDrops = Record<ConnectionDropReason | "unauthorized" | "busy", number>;

// All reasons at 0.
export function createConnectionDrops(): ConnectionDrops {
  return {
    max_connections: 0,
    timeout: 0,
    pipelined: 0,
    body: 0,
    malformed: 0,
    evicted: 0,
    unauthorized: 0,
    busy: 0,
  };
}

// Counts into `drops` and logs: the first drop at once, the drops after it in one line when
// `intervalMs` has passed since the last line, each line with the counts since the line before.
export interface DropReporter {
  count(reason: keyof ConnectionDrops): void;
  /** logs what is still pending and stops the timer */
  close(): void;
}

// What a drop line says besides the counts: the listener's limits.
export interface DropReporterOptions {
  drops: ConnectionDrops;
  logger: Logger;
  intervalMs: number;
  maxConnections: number;
  timeoutMs: number;
}

// Creates the reporter of one listener.
export function createDropReporter(options: DropReporterOptions): DropReporter {
  const { drops, logger, intervalMs, maxConnections, timeoutMs } = options;
  let pending = createConnectionDrops();
  let lastLineAt = -Infinity;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const dropped = CONNECTION_DROP_REASONS.reduce((sum, reason) => sum + pending[reason], 0);
    const { unauthorized, busy, ...reasons } = pending;
    if (dropped + unauthorized + busy === 0) return;
    logger.warn(
      {
        event: "status.connections-dropped",
        dropped,
        reasons,
        unauthorized,
        busy,
        maxConnections,
        timeoutMs,
      },
      `status listener dropped ${dropped} connection(s): ${pending.max_connections} over its cap of ` +
        `${maxConnections} open connections, ${pending.timeout} slower or idle for ${timeoutMs / 1000} s, ` +
        `${pending.pipelined} with too many requests unanswered, ${pending.body} sending a body, ` +
        `${pending.malformed} malformed, ${pending.evicted} closed (of the address holding the most, idle ` +
        `ones first) to make room for another address; ${unauthorized} request(s) refused for want of ` +
        `the token, ${busy} large answer(s) refused (503) while others were still being sent` +
        (lastLineAt === -Infinity ? "" : " (since the last such line)"),
    );
    lastLineAt = performance.now();
    pending = createConnectionDrops();
  };
  return {
    count(reason) {
      drops[reason] += 1;
      pending[reason] += 1;
      if (timer !== null) return;
      const wait = lastLineAt + intervalMs - performance.now();
      if (wait <= 0) return flush();
      timer = setTimeout(flush, wait);
      timer.unref();
    },
    close() {
      if (timer !== null) clearTimeout(timer);
      flush();
    },
  };
}

// What a prom-client counter needs to export `drops` as `<prefix>_status_connections_dropped_total`
// {reason}, read at scrape time; each program adds its registry (core does not load prom-client).
export function connectionDropsCounter(
  prefix: string,
  drops: Readonly<ConnectionDrops>,
): {
  name: string;
  help: string;
  labelNames: ["reason"];
  collect(this: { reset(): void; inc(labels: { reason: string }, value: number): void }): void;
} {
  return {
    name: `${prefix}_status_connections_dropped_total`,
    help: "Connections this status listener dropped by reason: max_connections (over its cap of 64 open connections, from an address holding as many as any other: closed at once), timeout (headers, request or an unanswered connection idle past 10 s; a keep-alive connection cut after 5 s idle in the headers of its next request), pipelined (more than 8 requests sent before reading the answers: cut), body (a request with a body: 413, cut), malformed (refused by the HTTP parser: 400/431, CONNECT, an Expect it cannot meet: 417, an HTTP/1.1 request without Host or a target that is not a path: 400), evicted (while the listener held its cap, a connection of the address holding the most, the oldest with no request being answered first, closed to make room for a connection from an address holding fewer)",
    labelNames: ["reason"],
    collect() {
      this.reset();
      for (const reason of CONNECTION_DROP_REASONS) this.inc({ reason }, drops[reason]);
    },
  };
}

// The same for `<prefix>_status_unauthorized_total`: requests answered 401 (STATUS_TOKEN missing or wrong).
export function unauthorizedCounter(prefix: string, drops: Readonly<ConnectionDrops>): PlainCounter {
  return plainCounter(
    `${prefix}_status_unauthorized_total`,
    "Requests this status listener answered 401: STATUS_TOKEN set and the bearer token missing or wrong",
    drops,
    "unauthorized",
  );
}

// The same for `<prefix>_status_busy_total`: large answers refused 503 because, with those still being
// sent (slow readers holding earlier versions of /config or /routes), they would have passed the
// listener's large-answer budget, `budgetBytes` (the status server's maxAnswerBytesInFlight), named in
// the help so it says the figure the listener runs with.
export function busyCounter(
  prefix: string,
  drops: Readonly<ConnectionDrops>,
  budgetBytes: number = MAX_ANSWER_BYTES_IN_FLIGHT,
): PlainCounter {
  return plainCounter(
    `${prefix}_status_busy_total`,
    `Large answers (over ${sizeText(SMALL_ANSWER_BYTES)}) this status listener refused 503 because, with the ` +
      `large answers it was still sending to their clients, they would have passed its budget of ` +
      `${sizeText(budgetBytes)} (one alone is always sent)`,
    drops,
    "busy",
  );
}

// A byte count as the docs write it: whole MiB or KiB when it is one, else bytes.
function sizeText(bytes: number): string {
  if (bytes > 0 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

// What a prom-client counter without labels needs (unauthorizedCounter, busyCounter).
export interface PlainCounter {
  name: string;
  help: string;
  collect(this: { reset(): void; inc(value: number): void }): void;
}

// A counter `name` that reads `drops[key]` at scrape time.
function plainCounter(
  name: string,
  help: string,
  drops: Readonly<ConnectionDrops>,
  key: keyof ConnectionDrops,
): PlainCounter {
  return {
    name,
    help,
    collect() {
      this.reset();
      this.inc(drops[key]);
    },
  };
}
