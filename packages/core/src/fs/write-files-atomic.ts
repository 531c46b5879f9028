// Several atomic replacements that land together: every temp file is written and fsynced first (in
// parallel), then the renames follow one another in the given order with nothing else between them. A
// reader sees each file old or new, never a mix, and a watcher of both files sees the renames within a
// fraction of a millisecond instead of one fsync apart. The directory is not fsynced after the renames:
// a rename lost to a power cut leaves the files of a crash just before it, complete (their bytes were
// fsynced), which every reader already handles; docs/reliability.md "Durability" (it cost 2-4 ms a
// change).
import { rename, rm } from "node:fs/promises";
import { stageTempFile, tempPathFor } from "./write-file-atomic.js";

// One file to replace.
export interface AtomicWrite {
  path: string;
  content: string;
}

// What happened to one write: renamed into place, failed (staging or rename), or not tried because an
// earlier one failed (nothing after a failure is renamed).
export type AtomicWriteOutcome =
  { status: "renamed" } | { status: "failed"; error: unknown } | { status: "not-attempted" };

// Replaces the files in order (one path may appear more than once: each step is its own temp file).
// `afterRename` runs after each rename (tests look at the files between renames). Never throws; no temp
// file survives.
export async function writeFilesAtomic(
  writes: readonly AtomicWrite[],
  afterRename?: (path: string) => Promise<void> | void,
  mode = 0o644,
): Promise<AtomicWriteOutcome[]> {
  const temps = writes.map((write) => tempPathFor(write.path));
  const staged = await Promise.allSettled(
    writes.map((write, i) => stageTempFile(temps[i] ?? "", write.content, mode)),
  );
  const outcomes: AtomicWriteOutcome[] = writes.map(() => ({ status: "not-attempted" }));
  // As if written one by one: the steps before one that could not be staged are still renamed.
  const unstaged = staged.findIndex((result) => result.status === "rejected");
  const last = unstaged >= 0 ? unstaged : writes.length;
  const failure = staged[unstaged];
  if (failure?.status === "rejected") outcomes[unstaged] = { status: "failed", error: failure.reason };
  for (let i = 0; i < last; i++) {
    const path = writes[i]?.path ?? "";
    try {
      await rename(temps[i] ?? "", path);
      outcomes[i] = { status: "renamed" };
      await afterRename?.(path);
    } catch (error) {
      outcomes[i] = { status: "failed", error };
      break;
    }
  }
  await removeAll(temps.filter((_, i) => outcomes[i]?.status !== "renamed"));
  return outcomes;
}

async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true }).catch(() => undefined)));
}
