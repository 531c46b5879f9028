// The real `generate-maps` command (bin/generate-maps.js on the built dist) as a child process for fault
// tests: JSON log lines collected and awaitable, always killed when the test ends. Root end-to-end tests
// (generator + reloader + HAProxy) reuse it next to test-support's spawnReloader.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TestContext } from "node:test";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/generate-maps.js", import.meta.url));

// One pino JSON line of the generator (`raw` for anything that is not JSON).
export interface GeneratorLog {
  event?: string;
  level?: number;
  msg?: string;
  raw?: string;
  [field: string]: unknown;
}

// A running generator child.
export interface GeneratorProcess {
  readonly pid: number;
  readonly logs: readonly GeneratorLog[];
  /** resolves with the exit code (null after a signal) once the process ended and its output is drained */
  readonly exited: Promise<number | null>;
  /** lines with this event (and matching `match`) */
  events(event: string, match?: (line: GeneratorLog) => boolean): GeneratorLog[];
  /** the first line from index `from` with this event; rejects after timeoutMs or when the process exits */
  waitForEvent(
    event: string,
    options?: { from?: number; timeoutMs?: number; match?: (line: GeneratorLog) => boolean },
  ): Promise<GeneratorLog>;
  /** SIGTERM (or `signal`), then SIGKILL after 5 s; resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// Where the generator writes and what it reads: the usual flags of a fault test.
export interface GeneratorSetup {
  hostPort: string;
  dir: string;
  /** --interval, seconds (default 2: failures are retried within 2 s) */
  interval?: number;
  /** --removal-confirm-seconds (default 0: the guard is off unless a test is about it) */
  confirmSeconds?: number;
  extraArgs?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

// The paths a setup writes to.
export function outputPaths(dir: string): { backends: string; map: string } {
  return { backends: join(dir, "backends.cfg"), map: join(dir, "domain.map") };
}

// Starts `generate-maps` in loop mode with a clean environment (PATH only), killed when the test ends.
export function startGenerator(t: TestContext, setup: GeneratorSetup): GeneratorProcess {
  const paths = outputPaths(setup.dir);
  const args = [
    "--api-host",
    setup.hostPort,
    "--domain-map",
    paths.map,
    "--backends",
    paths.backends,
    "--interval",
    String(setup.interval ?? 2),
    "--removal-confirm-seconds",
    String(setup.confirmSeconds ?? 0),
    "--log-level",
    "debug",
    ...(setup.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      STACK_DOMAIN: "dev.tld",
      LOG_FORMAT: "json",
      SYSLOG_HOST: "stdout",
      // No status listener on the fixed default port: test files run in parallel (override in `env`).
      STATUS_PORT: "off",
      ...setup.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: GeneratorLog[] = [];
  const wakers = new Set<() => void>();
  const onLine = (line: string) => {
    let parsed: GeneratorLog;
    try {
      const value: unknown = JSON.parse(line);
      parsed = typeof value === "object" && value !== null ? (value as GeneratorLog) : { raw: line };
    } catch {
      parsed = { raw: line };
    }
    logs.push(parsed);
    if (process.env["RH_TEST_ECHO"] === "1") process.stderr.write(`[generate-maps ${child.pid}] ${line}\n`);
    for (const wake of wakers) wake();
  };
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", onLine);
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", onLine);
  let ended = false;
  const exited = new Promise<number | null>((resolve) =>
    child.once("close", (code) => {
      ended = true;
      resolve(code);
      for (const wake of wakers) wake();
    }),
  );
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (!ended) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  t.after(() => stop("SIGKILL"));
  const matches = (line: GeneratorLog, event: string, match?: (line: GeneratorLog) => boolean) =>
    line.event === event && (match === undefined || match(line));
  return {
    pid: child.pid ?? -1,
    logs,
    exited,
    stop,
    events: (event, match) => logs.filter((line) => matches(line, event, match)),
    waitForEvent(event, options = {}) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      let index = options.from ?? 0;
      return new Promise<GeneratorLog>((resolve, reject) => {
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          wakers.delete(check);
          settle();
        };
        const check = () => {
          for (; index < logs.length; index++) {
            const line = logs[index];
            if (line && matches(line, event, options.match)) return finish(() => resolve(line));
          }
          if (ended)
            finish(() => reject(new Error(`generate-maps exited before logging ${event}\n${tail(logs)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no ${event} log line within ${timeoutMs} ms\n${tail(logs)}`))),
          timeoutMs,
        );
        wakers.add(check);
        check();
      });
    },
  };
}

function tail(logs: readonly GeneratorLog[]): string {
  return logs
    .slice(-20)
    .map((line) => line.raw ?? `${line.event ?? "?"}: ${line.msg ?? ""}`)
    .join("\n");
}
