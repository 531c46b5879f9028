// The log level option read without loading pino: the option table (and so --help and a refused
// option) needs only this, the logger itself is created once the options are valid.
import type { LevelWithSilent } from "pino";

// Parse LOG_LEVEL / --log-level; undefined when the value is not a pino level.
export function parseLogLevel(value: string): LevelWithSilent | undefined {
  const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
  const lower = value.trim().toLowerCase();
  return levels.includes(lower) ? (lower as LevelWithSilent) : undefined;
}
