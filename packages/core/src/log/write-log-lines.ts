// Many log lines at once (a cycle's skip lines): each line is what `logger[level](fields, msg)` writes,
// byte for byte but the time, built with JSON.stringify and written with one write. Through pino's
// per-line path a one-shot run paid ≈ 200 000 instructions a line (its code and the logger's hooks run
// cold, then compiled); 1 000 skip lines were an eighth of a `--once` cycle at 10 000 containers.
import { pino, type Level, type Logger } from "pino";
import { loggerKeep } from "./create-logger.js";
import { MAX_LOG_STRING, plainLogJson, safeLogFields, safeLogText } from "./safe-log-text.js";

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
  // createLogger's loggers stamp milliseconds (pino's isoTime: a Date's ISO text, ≈ 9 000 instructions in
  // a one-shot run): a stamp made within one millisecond (Date.now() the same before and after) is that
  // millisecond's, and the lines built in the same millisecond reuse it.
  let stampAt = Number.NaN;
  let stamp = "";
  const stampNow = (): string => {
    const at = Date.now();
    if (at === stampAt) return stamp;
    const made = time?.call(logger) ?? "";
    if (Date.now() === at) [stampAt, stamp] = [at, made];
    return made;
  };
  let text = "";
  for (const line of lines) {
    if (!logger.isLevelEnabled(line.level)) continue;
    const flat = exact && isFlat(line.fields);
    // Nothing to cut, escape or censor (nearly every line): the fields as they are (see plainLogJson).
    const plain = flat && keep === "json" ? plainLogJson(line.fields, line.msg) : undefined;
    const safe = flat && plain === undefined ? safeLogFields(line.fields, keep) : undefined;
    const prefix = levelPrefix?.[logger.levels.values[line.level] ?? -1];
    const body =
      plain !== undefined
        ? `${plain.fields === "{}" ? "" : `${plain.fields.slice(1, -1)},`}"msg":${plain.msg}}`
        : safe !== undefined
          ? JSON.stringify({ ...safe, msg: safeLogText(line.msg, MAX_LOG_STRING, keep) }).slice(1)
          : undefined;
    if (body === undefined || prefix === undefined) {
      if (text !== "") stream?.write(text);
      text = "";
      logger[line.level](line.fields, line.msg);
      continue;
    }
    text += `${prefix}${stampNow()}${String(chindings ?? "")},${body}\n`;
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
