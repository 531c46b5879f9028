// The `hard-stop-after` a base config sets, as written: the rendered one always sets it
// (--hard-stop-after), a user's --config may not, and then nothing cuts an old worker's connections, so
// a reload held for old workers (reload/old-workers-cap.ts) waits as long as they last. HAProxy accepts
// the keyword only in `global`, so a config that passed `haproxy -c` has it there or not at all. Pure
// and total.

// The value of the first `hard-stop-after` line of `base` that is not a comment, or null when none.
export function hardStopAfterOf(base: Buffer | string): string | null {
  const text = typeof base === "string" ? base : base.toString("utf8");
  for (const line of text.split("\n")) {
    const words = (line.split("#")[0] ?? "").trim().split(/\s+/);
    if (words[0] === "hard-stop-after") return words[1] ?? "";
  }
  return null;
}
