// Logs what a write changed as a unified diff, so the log alone says how routing moved.
import type { Logger } from "@rancher-haproxy/core";
// The diff package's patch module alone (its subpath export): the package's index loads every differ
// (19 modules), which a one-shot run paid at start.
import { createTwoFilesPatch } from "diff/lib/patch/create.js";

// The most diff text one log line carries: a first write of a 50 000-container file would otherwise put
// megabytes on one line (and block on a slow stdout pipe). The rest is summarised by a line count.
export const MAX_LOGGED_DIFF_CHARS = 16 * 1024;

// The most edits (a line added or removed) diffed between two large files: the diff's work grows with
// their square, so 10 000 changed lines blocked the loop (and /healthz) for ≈ 12 s. 600 is ≈ 300 changed
// lines, ≈ 30 ms.
export const MAX_DIFF_EDITS = 600;

// A unified diff of one file's old and new bytes (no file before: diff from empty), cut at `limit` chars.
export function fileDiff(
  path: string,
  previous: string | null,
  content: string,
  limit = MAX_LOGGED_DIFF_CHARS,
): string {
  // A new file is all additions: build only what will be logged instead of diffing megabytes from empty.
  if (previous === null) return createdPatch(path, content, limit);
  const [before, after] = [countLines(previous), countLines(content)];
  const maxEditLength = maxEdits(Math.min(before, after));
  // Each line one file has more than the other is an edit: past the budget the diff package would give
  // up anyway, but only after splitting both files into lines (63 MiB of short lines: 41 s, 2 GB).
  if (Math.abs(before - after) > maxEditLength) return tooManyChanges(before, after, "counted");
  const patch = createTwoFilesPatch(path, path, previous, content, "before", "after", { maxEditLength });
  if (patch === undefined) return tooManyChanges(before, after, "diffed");
  return truncate(patch, limit);
}

// The line logged instead of a diff: how many lines each side has, and whether the counts alone showed
// the change past the budget (`counted`: nothing was diffed) or the diff stopped at it (`diffed`).
function tooManyChanges(before: number, after: number, found: "counted" | "diffed"): string {
  const why = found === "counted" ? ` (the line counts alone differ by more than the diff's budget)` : "";
  return `… too many changed lines to diff: ${before} lines before, ${after} after${why}\n`;
}

// What a replaced file's diff says: its old bytes were not read, so there is nothing to diff from.
function unreadDiff(reason: string): string {
  return `… not diffed: the previous file was not read (${reason})\n`;
}

// The edit bound for files whose shorter one has `shorter` lines. The work is about edits × min(edits,
// shorter): the budget is what MAX_DIFF_EDITS costs between large files, so a (nearly) empty file may gain
// many more lines.
function maxEdits(shorter: number): number {
  return Math.max(MAX_DIFF_EDITS, Math.floor(MAX_DIFF_EDITS ** 2 / 2 / (shorter + 1)));
}

// How many lines a file has (a last line without its line feed counts), counted without splitting it.
function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) count++;
  return text.length === 0 || text.endsWith("\n") ? count : count + 1;
}

// The unified diff of a file created from nothing, in the diff package's format, bounded like truncate():
// only the lines that are logged are cut out of the file.
function createdPatch(path: string, content: string, limit: number): string {
  const total = countLines(content);
  const hunk = total === 0 ? "" : `@@ -0,0 +1,${total} @@\n`;
  let patch = `Index: ${path}\n${"=".repeat(67)}\n--- ${path}\t(none)\n+++ ${path}\tafter\n${hunk}`;
  let start = 0;
  for (let index = 0; index < total; index++) {
    const end = content.indexOf("\n", start);
    const line = content.slice(start, end === -1 ? content.length : end);
    if (patch.length + line.length + 2 > limit) return omitted(patch, total - index);
    patch += `+${line}\n`;
    start = end + 1;
  }
  return patch;
}

// Cut a diff at the last line break before `limit`, saying how many lines were left out.
function truncate(diff: string, limit: number): string {
  if (diff.length <= limit) return diff;
  const kept = diff.slice(0, diff.lastIndexOf("\n", limit) + 1);
  return omitted(kept, diff.slice(kept.length).split("\n").length - 1);
}

function omitted(kept: string, lines: number): string {
  return `${kept}… ${lines} more diff lines not logged\n`;
}

// One `file-changed` line per written file, with the (bounded) diff and whether the file is new; a file
// replaced unread (`replaced`: why) was not new, and its diff says it was not computed.
export function logFileChange(
  logger: Logger,
  path: string,
  previous: string | null,
  content: string,
  replaced?: string,
): void {
  if (!logger.isLevelEnabled("info")) return;
  const created = previous === null && replaced === undefined;
  const diff = replaced === undefined ? fileDiff(path, previous, content) : unreadDiff(replaced);
  logger.info(
    { event: "file-changed", path, created, diff },
    `${created ? "created" : previous === null ? "replaced" : "updated"} ${path}`,
  );
}
