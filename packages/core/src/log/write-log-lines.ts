// Many log lines at once (a cycle's skip lines): each line is what `logger[level](fields, msg)` writes,
// byte for byte but the time, built with JSON.stringify and written with one write. Through pino's
// per-line path a one-shot run paid ≈ 200 000 instructions a line (its code and the logger's hooks run
// cold, then compiled); 1 000 skip lines were an eighth of a `--once` cycle at 10 000 containers.
import { pino, type Level, type Logger } from "pino";
import { loggerKeep } from "./create-logger.js";
import { MAX_LOG_STRING, safeLogFields, safeLogText } from "./safe-log-text.js";

// One line: its level, its fields (never `msg`, the message's key) and its message.
export interface LogLine {
  level: Level;
  fields: Record<string, unknown>;
  msg: string;
}

// The parts of a pino logger a line is built from (pino's own, through its public symbols).
interface PinoInternals {
  [key: symbol]: unknown;
}

// Writes `lines` in order, those below the logger's level left out, with the fields cut, escaped and
// censored as createLogger's formatter does. A line whose fields are not all strings, numbers, booleans
// or null (an error, a bigint, an object: pino's serializers know them), or that has a `msg` field, and
// every line of a logger createLogger did not make, goes through pino, one call each.
export function writeLogLines(logger: Logger, lines: Iterable<LogLine>): void {
  const keep = loggerKeep(logger);
  const internals = logger as unknown as PinoInternals;
  const { lsCacheSym, timeSym, chindingsSym, streamSym } = pino.symbols;
  const levelPrefix = internals[lsCacheSym] as Record<number, string> | undefined;
  const time = internals[timeSym] as (() => string) | undefined;
  const chindings = internals[chindingsSym];
  const stream = internals[streamSym] as { write(text: string): unknown } | undefined;
  const exact =
    keep !== undefined && levelPrefix !== undefined && typeof time === "function" && stream !== undefined;
  let text = "";
  for (const line of lines) {
    if (!logger.isLevelEnabled(line.level)) continue;
    const fields = exact && isFlat(line.fields) ? safeLogFields(line.fields, keep) : undefined;
    const prefix = levelPrefix?.[logger.levels.values[line.level] ?? -1];
    if (fields === undefined || prefix === undefined) {
      if (text !== "") stream?.write(text);
      text = "";
      logger[line.level](line.fields, line.msg);
      continue;
    }
    fields.msg = safeLogText(line.msg, MAX_LOG_STRING, keep);
    text += `${prefix}${time?.call(logger) ?? ""}${String(chindings ?? "")},${JSON.stringify(fields).slice(1)}\n`;
  }
  if (text !== "") stream?.write(text);
}

// True when every own field is a string, a number, a boolean, null or undefined, and none is `msg`.
function isFlat(fields: Record<string, unknown>): boolean {
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    const type = typeof value;
    if (key === "msg") return false;
    if (
      value !== null &&
      type !== "string" &&
      type !== "number" &&
      type !== "boolean" &&
      type !== "undefined"
    )
      return false;
  }
  return true;
}
