import { createRequire } from "node:module";
import { pino, type Logger, type LevelWithSilent } from "pino";
import type { PrettyOptions, PrettyStream } from "pino-pretty";
import { MAX_LOG_STRING, safeLogFields, safeLogText, type KeepControls } from "./safe-log-text.js";

// pino-pretty (about 8 MB and 50 ms of start-up) is loaded only when pretty output is asked for.
function pretty(options: PrettyOptions): PrettyStream {
  const load = createRequire(import.meta.url)("pino-pretty") as (options: PrettyOptions) => PrettyStream;
  return load(options);
}

export type { Logger } from "pino";

// How log lines look: one JSON object per line (default off a TTY) or human-friendly.
export type LogFormat = "json" | "pretty";

// Options of the process logger, validated at the edge by each cli.
export interface LoggerOptions {
  name: string;
  level?: LevelWithSilent;
  format?: LogFormat;
  /** where lines go; stdout by default (tests pass a stream to read them back) */
  destination?: NodeJS.WritableStream;
}

// How each logger made here escapes its strings (writeLogLines builds lines the same way).
const KEEP = new WeakMap<Logger, KeepControls>();

// The escaping `logger` was created with; undefined for a logger not made by createLogger (or a child).
export function loggerKeep(logger: Logger): KeepControls | undefined {
  return KEEP.get(logger);
}

// One structured logger per process: stable field names, `event` on every line, secrets redacted, and
// every string (message and fields) escaped and cut, so no value can forge a line or flood the log.
export function createLogger(options: LoggerOptions): Logger {
  const format = options.format ?? (process.stdout.isTTY ? "pretty" : "json");
  const keep: KeepControls = format === "pretty" ? "none" : "json";
  const base = {
    name: options.name,
    level: options.level ?? "info",
    base: { name: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Pretty lines are read on a terminal: control characters escaped there; JSON encodes the C0 ones
    // itself and the rest (C1, separators, bidi controls) are escaped as text, as in pretty lines.
    // The same walk censors secret keys (ssl_key, ssl_cert, key, password; see safeLogFields): pino's own
    // `redact` with wildcard paths doubled the CPU of every line.
    formatters: { log: (fields: Record<string, unknown>) => safeLogFields(fields, keep) },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void) {
        const safe = args.map((arg) =>
          typeof arg === "string" ? safeLogText(arg, MAX_LOG_STRING, keep) : arg,
        );
        method.apply(this, safe);
      },
    },
  };
  const logger =
    format === "pretty"
      ? pino(
          base,
          pretty({ colorize: process.stdout.isTTY, destination: options.destination ?? 1, sync: true }),
        )
      : pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
  KEEP.set(logger, keep);
  return logger;
}
