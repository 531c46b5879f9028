// Run the real `reloader` CLI as a child process for tests: JSON log lines collected and awaitable,
// and a stop that always leaves no reloader and no HAProxy behind.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

// One log line of the reloader (pino JSON), or `{ raw }` for a line that is not JSON.
export interface LogLine {
  event?: string;
  level?: number;
  msg?: string;
  raw?: string;
  [field: string]: unknown;
}

// How to run it: flags, environment (on top of PATH/HOME only) and which build.
export interface SpawnReloaderOptions {
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** "src" runs packages/reloader/src/cli.ts through tsx (default); "dist" runs bin/reloader.js */
  entry?: "src" | "dist";
  /** echo every line to stderr (or set RH_TEST_ECHO=1) */
  echo?: boolean;
}

// How the process ended.
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// Options of waitForEvent.
export interface WaitEventOptions {
  timeoutMs?: number;
  match?: (line: LogLine) => boolean;
  /** only lines at or after this index of `logs` count (default: every line so far) */
  from?: number;
}

// A running reloader child.
export interface ReloaderProcess {
  readonly pid: number;
  readonly logs: readonly LogLine[];
  readonly exited: Promise<ProcessExit>;
  /** the first line (from `from`) with this event; rejects after timeoutMs or when the process exits */
  waitForEvent(event: string, options?: WaitEventOptions): Promise<LogLine>;
  /** how many lines carry this event (and match) */
  count(event: string, match?: (line: LogLine) => boolean): number;
  /** HAProxy master pids this reloader started */
  haproxyPids(): number[];
  /** signal (SIGTERM by default), wait; SIGKILL after timeoutMs; then kill leftover HAProxy masters */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ProcessExit>;
}

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SRC_CLI = fileURLToPath(new URL("../../../reloader/src/cli.ts", import.meta.url));
const DIST_CLI = fileURLToPath(new URL("../../../reloader/bin/reloader.js", import.meta.url));

// Start `reloader` (it is not awaited to be ready: wait for the "reloader.ready" event).
export function spawnReloader(options: SpawnReloaderOptions = {}): ReloaderProcess {
  const entry = options.entry ?? "src";
  const argv = entry === "src" ? ["--import", "tsx", SRC_CLI] : [DIST_CLI];
  if (
    entry === "dist" &&
    !existsSync(fileURLToPath(new URL("../../../reloader/dist/cli.js", import.meta.url)))
  )
    throw new Error("packages/reloader/dist is missing: run `npx tsc -b` first");
  // Debian installs haproxy in /usr/sbin, which a non-root PATH may lack.
  const path = `${process.env["PATH"] ?? "/usr/bin:/bin"}:/usr/sbin:/usr/local/sbin`;
  const env: Record<string, string> = { PATH: path, LOG_FORMAT: "json" };
  if (process.env["HOME"]) env["HOME"] = process.env["HOME"];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [...argv, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return wrap(child, options.echo ?? process.env["RH_TEST_ECHO"] === "1");
}

function wrap(child: ChildProcess, echo: boolean): ReloaderProcess {
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let exit: ProcessExit | null = null;
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const wake of waiters) wake();
    }),
  );
  const onLine = (line: string) => {
    if (echo) process.stderr.write(`[reloader ${child.pid}] ${line}\n`);
    let parsed: LogLine;
    try {
      const value: unknown = JSON.parse(line);
      parsed = typeof value === "object" && value !== null ? (value as LogLine) : { raw: line };
    } catch {
      parsed = { raw: line };
    }
    logs.push(parsed);
    for (const wake of waiters) wake();
  };
  if (child.stdout) createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", onLine);
  if (child.stderr) createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", onLine);

  const matches = (line: LogLine, event: string, match?: (line: LogLine) => boolean) =>
    line.event === event && (!match || match(line));
  const haproxyPids = () =>
    logs
      .filter((line) => line.event === "haproxy.started" && typeof line["pid"] === "number")
      .map((line) => line["pid"] as number);

  return {
    pid: child.pid ?? -1,
    logs,
    exited,
    count: (event, match) => logs.filter((line) => matches(line, event, match)).length,
    haproxyPids,
    waitForEvent(event, options = {}) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      let index = options.from ?? 0;
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          for (; index < logs.length; index++) {
            const line = logs[index];
            if (line && matches(line, event, options.match)) return done(() => resolve(line));
          }
          if (exit)
            done(() =>
              reject(
                new Error(`reloader exited (${JSON.stringify(exit)}) before logging ${event}\n${tail(logs)}`),
              ),
            );
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${event} log line within ${timeoutMs} ms\n${tail(logs)}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop(options = {}) {
      if (!exit) child.kill(options.signal ?? "SIGTERM");
      const timeoutMs = options.timeoutMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exited,
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!result) child.kill("SIGKILL");
      const final = result ?? (await exited);
      for (const pid of haproxyPids()) killIfAlive(pid);
      return final;
    },
  };
}

// Kill a leftover HAProxy master, checking /proc first so a reused pid is never hit.
function killIfAlive(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("haproxy")) return;
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function tail(logs: readonly LogLine[]): string {
  return logs
    .slice(-25)
    .map((line) =>
      line.raw !== undefined
        ? line.raw
        : `${line.event ?? "?"} ${line.msg ?? ""} ${JSON.stringify(pick(line))}`,
    )
    .join("\n");
}

function pick(line: LogLine): Record<string, unknown> {
  const { level: _level, time: _time, name: _name, msg: _msg, event: _event, ...rest } = line;
  return rest;
}
