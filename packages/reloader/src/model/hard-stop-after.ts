// The `hard-stop-after` a base config sets, as written: the rendered one always sets it
// (--hard-stop-after), a user's --config may not, and then nothing cuts an old worker's connections, so
// a reload held for old workers (reload/old-workers-cap.ts) waits as long as they last. HAProxy accepts
// the keyword only in `global`, so a config that passed `haproxy -c` has it there or not at all. Read as
// HAProxy reads it: each line sets it again, so the last one counts, and a time of 0 (`0`, `0s`, ...)
// leaves it unset, as if none were written (HAProxy schedules the hard stop only for a non-zero time). A
// line in a `.if` branch HAProxy skips (`.if 0`, `.if defined(X)` with no X in `environment`, the
// variables HAProxy inherits, `.if streq("$X",on)`...) sets nothing (config-read-words.ts, as for
// clashing-sections.ts). Pure and total.
import { configReadWords, type HaproxyEnvironment } from "./config-read-words.js";

// The value of the last `hard-stop-after` line of `base` that is not a comment nor in a skipped `.if`
// branch, unquoted, or null when none sets a bound (no such line, or a time of 0).
export function hardStopAfterOf(base: Buffer | string, environment?: HaproxyEnvironment): string | null {
  const text = typeof base === "string" ? base : base.toString("utf8");
  let value: string | null = null;
  for (const words of configReadWords(text, environment))
    if (words[0] === "hard-stop-after") value = words[1] ?? "";
  return value === null || ZERO_TIME.test(value) ? null : value;
}

// A time HAProxy parses as 0 in any of its units (parse_time_err: us, ms, s, m, h, d; ms when none).
const ZERO_TIME = /^0+(?:us|ms|s|m|h|d)?$/;
