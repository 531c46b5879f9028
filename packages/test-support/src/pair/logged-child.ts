// A child process that logs pino JSON lines (generate-maps, the reloader): every line collected and
// awaitable, and a stop that always ends it. spawnReloader and spawnGenerateMaps are built on it.
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

// One log line (pino JSON), or `{ raw }` for a line that is not JSON.
export interface LogLine {
  event?: string;
  level?: number;
  msg?: string;
  raw?: string;
  [field: string]: unknown;
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

// A running child that logs JSON lines.
export interface LoggedChild {
  readonly pid: number;
  readonly logs: readonly LogLine[];
  /** resolves once the process ended and every output line is in `logs` */
  readonly exited: Promise<ProcessExit>;
  /** the first line (from `from`) with this event; rejects after timeoutMs or when the process exits */
  waitForEvent(event: string, options?: WaitEventOptions): Promise<LogLine>;
  /** how many lines carry this event (and match) */
  count(event: string, match?: (line: LogLine) => boolean): number;
  /** signal (SIGTERM by default), wait; SIGKILL after timeoutMs (default 15 s) */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ProcessExit>;
}

// How to watch the child: a label for messages, an echo to stderr, a hook for every raw line.
export interface LoggedChildOptions {
  label: string;
  echo?: boolean;
  onLine?: (line: string) => void;
}

// Collects the child's stdout and stderr lines (parsed when they are JSON objects).
export function wrapLoggedChild(child: ChildProcess, options: LoggedChildOptions): LoggedChild {
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let exit: ProcessExit | null = null;
  // "close", not "exit": the process ended and its output is drained, so `logs` holds every line.
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once("close", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const wake of waiters) wake();
    }),
  );
  const onLine = (line: string) => {
    if (options.echo) process.stderr.write(`[${options.label} ${child.pid}] ${line}\n`);
    options.onLine?.(line);
    logs.push(parseLine(line));
    for (const wake of waiters) wake();
  };
  if (child.stdout) createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", onLine);
  if (child.stderr) createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", onLine);
  const matches = (line: LogLine, event: string, match?: (line: LogLine) => boolean) =>
    line.event === event && (!match || match(line));

  return {
    pid: child.pid ?? -1,
    logs,
    exited,
    count: (event, match) => logs.filter((line) => matches(line, event, match)).length,
    waitForEvent(event, waitOptions = {}) {
      const timeoutMs = waitOptions.timeoutMs ?? 10_000;
      let index = waitOptions.from ?? 0;
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          for (; index < logs.length; index++) {
            const line = logs[index];
            if (line && matches(line, event, waitOptions.match)) return done(() => resolve(line));
          }
          if (exit)
            done(() =>
              reject(
                new Error(
                  `${options.label} exited (${JSON.stringify(exit)}) before logging ${event}\n${tailLogs(logs)}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() => reject(new Error(`no ${event} log line within ${timeoutMs} ms\n${tailLogs(logs)}`))),
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
    async stop(stopOptions = {}) {
      if (!exit) child.kill(stopOptions.signal ?? "SIGTERM");
      const timeoutMs = stopOptions.timeoutMs ?? 15_000;
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exited,
        new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!result) child.kill("SIGKILL");
      return result ?? (await exited);
    },
  };
}

function parseLine(line: string): LogLine {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as LogLine) : { raw: line };
  } catch {
    return { raw: line };
  }
}

// The last lines, readable, for error messages.
export function tailLogs(logs: readonly LogLine[], count = 25): string {
  return logs
    .slice(-count)
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
