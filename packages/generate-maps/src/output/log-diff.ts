// Logs what a write changed as a unified diff, so the log alone says how routing moved.
import type { Logger } from "@rancher-haproxy/core";
import { createTwoFilesPatch } from "diff";

// A unified diff of one file's old and new bytes (no file before: diff from empty).
export function fileDiff(path: string, previous: string | null, content: string): string {
  return createTwoFilesPatch(
    path,
    path,
    previous ?? "",
    content,
    previous === null ? "(none)" : "before",
    "after",
  );
}

// One `file-changed` line per written file, with the diff and whether the file is new.
export function logFileChange(logger: Logger, path: string, previous: string | null, content: string): void {
  logger.info(
    { event: "file-changed", path, created: previous === null, diff: fileDiff(path, previous, content) },
    `${previous === null ? "created" : "updated"} ${path}`,
  );
}
