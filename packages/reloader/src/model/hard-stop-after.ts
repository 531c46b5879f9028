// The `hard-stop-after` a base config sets, as written: the rendered one always sets it
// (--hard-stop-after), a user's --config may not, and then nothing cuts an old worker's connections, so
// a reload held for old workers (reload/old-workers-cap.ts) waits as long as they last. HAProxy accepts
// the keyword only in `global`, so a config that passed `haproxy -c` has it there or not at all. Read as
// HAProxy reads it: each line sets it again, so the last one counts, and a time of 0 (`0`, `0s`, ...)
// leaves it unset, as if none were written (HAProxy schedules the hard stop only for a non-zero time). A
// line in a `.if` branch HAProxy skips (`.if 0`, `.if defined(X)` with no X in `environment`, the
// variables HAProxy inherits, `.if streq("$X",on)`...) sets nothing (config-read-words.ts, as for
// clashing-sections.ts). Its keyword and time are the line's words as HAProxy cuts them
// (haproxy-line-words.ts: quotes, escapes, `"$T"` from `environment`), a word not known there (a
// variable the reloader cannot know) read as written. Pure and total.
import { configReadLines, type HaproxyEnvironment, type ReadLine } from "./config-read-words.js";
import { configWords } from "./config-words.js";
import type { HaproxySelf } from "./haproxy-build.js";
import { cWord } from "./haproxy-line-words.js";

// The value of the last `hard-stop-after` line of `base` that is not a comment nor in a skipped `.if`
// branch, as HAProxy reads it, or null when none sets a bound (no such line, or a time of 0).
// `self`: what HAProxy knows of itself (its build, for `.if feature(...)` and `version_*(...)`).
export function hardStopAfterOf(
  base: Buffer | string,
  environment?: HaproxyEnvironment,
  self?: HaproxySelf,
): string | null {
  const text = typeof base === "string" ? base : base.toString("utf8");
  let value: string | null = null;
  for (const read of configReadLines(text, environment, self)) {
    const [keyword, time] = wordsOf(read);
    if (keyword === "hard-stop-after") value = time ?? "";
  }
  return value === null || ZERO_TIME.test(value) ? null : value;
}

// The first two words of `read` as HAProxy cuts them; a word not known here (or a line HAProxy refuses,
// which fails the config on its own) read as written, as configWords does.
function wordsOf(read: ReadLine): (string | undefined)[] {
  const exact = read.exact;
  if (exact === null || exact[0] === null || exact[1] === null) {
    const written = configWords(read.text);
    if (exact === null) return written;
    return [0, 1].map((at) => (exact[at] === null ? written[at] : cWordOf(exact[at])));
  }
  return [cWordOf(exact[0]), cWordOf(exact[1])];
}

// A known word up to its first NUL, as HAProxy's C code sees it.
function cWordOf(word: string | undefined): string | undefined {
  return word === undefined ? undefined : cWord(word);
}

// A time HAProxy parses as 0 in any of its units (parse_time_err: us, ms, s, m, h, d; ms when none).
const ZERO_TIME = /^0+(?:us|ms|s|m|h|d)?$/;
