// The only code that writes files: in an order that keeps every intermediate state consistent (see
// planWrites), each file only when its bytes differ, reading the previous ones only as regular files.
// Every step's temp file is written and fsynced before the first rename (writeFilesAtomic), so the
// renames land back to back and a reader acting on the first one mostly sees the whole change.
import { readRegularFile, writeFilesAtomic } from "@rancher-haproxy/core";
import { oldOutputCap } from "./old-output-cap.js";
import { planWrites, type FilePair, type RenderedBackends, type UnreadFiles } from "./plan-writes.js";
import { scanDeclaredNames } from "./scan-declared-names.js";

// One file to write: where, and the bytes it should hold.
export interface OutputFile {
  path: string;
  content: string;
}

// The two files of a cycle; `rendered`: what the backends file was rendered from (renderFiles), for the
// union step (planWrites).
export interface OutputFiles {
  backends: OutputFile;
  map: OutputFile;
  rendered?: RenderedBackends;
}

// What happened to one file: written (with what it held before, why what was there was replaced unread,
// and what it holds now), unchanged, failed, or not tried because the write it must wait for failed.
// A file is changed once any step of its write was renamed: with `unfinished`, `content` is that earlier
// step's (the union of old and new backends), and its last step failed or waits for the other file.
export type FileOutcome =
  | {
      path: string;
      status: "changed";
      previous: string | null;
      content: string;
      replaced?: string;
      unfinished?: UnfinishedWrite;
    }
  | { path: string; status: "unchanged" }
  | { path: string; status: "failed"; error: unknown }
  | { path: string; status: "not-attempted"; waitingFor: string };

// Why a changed file does not hold the cycle's content yet: its last step failed, or was not tried
// because the write it waits for (`waitingFor`, a path) failed.
export type UnfinishedWrite = { error: unknown } | { waitingFor: string };

// The failure an outcome carries, if any: the file's write failed, or its last step after an earlier one
// was renamed. A cycle with one failed (and retries it); each counts as a write error.
export function outcomeError(outcome: FileOutcome): { error: unknown } | undefined {
  if (outcome.status === "failed") return { error: outcome.error };
  if (outcome.status === "changed" && outcome.unfinished && "error" in outcome.unfinished)
    return { error: outcome.unfinished.error };
  return undefined;
}

// The output edge's hook: called after each rename (tests look at both files between renames).
export interface OutputWriter {
  afterRename?: (path: string) => Promise<void> | void;
}

type Read = { content: string | null; replaced?: string } | { error: unknown };

// Writes both files (backends outcome first, then map). Never throws.
export async function writeOutputs(files: OutputFiles, writer?: OutputWriter): Promise<FileOutcome[]> {
  // Both reads at once (each is open, fstat, read, close on libuv's pool): the writes wait for both anyway.
  const [backendsRead, mapRead] = await Promise.all([
    readOutput(files.backends.path, oldOutputCap(files.backends.content)),
    readOutput(files.map.path, oldOutputCap(files.map.content)),
  ]);
  const reads: FilePair<Read> = { backends: backendsRead, map: mapRead };
  const outcomes = new Map<"backends" | "map", FileOutcome>();
  for (const file of ["backends", "map"] as const) {
    const read = reads[file];
    if ("error" in read) outcomes.set(file, { path: files[file].path, status: "failed", error: read.error });
  }
  const unread = [...outcomes.values()][0];
  if (unread) {
    for (const file of ["backends", "map"] as const)
      if (!outcomes.has(file))
        outcomes.set(file, { path: files[file].path, status: "not-attempted", waitingFor: unread.path });
    return finish(files, outcomes, reads);
  }
  const current = {
    backends: "content" in reads.backends ? reads.backends.content : null,
    map: "content" in reads.map ? reads.map.content : null,
  };
  // A file refused unread (over the read cap, or not a regular file) is there but unknown: an old map so
  // refused may name any backend; an old backends file's names are read on their own, chunk by chunk.
  const unknown: UnreadFiles = {};
  if ("replaced" in reads.map && reads.map.replaced !== undefined) unknown.map = true;
  if ("replaced" in reads.backends && reads.backends.replaced !== undefined) {
    const names = await scanDeclaredNames(files.backends.path);
    if (names) unknown.backendNames = names;
  }
  const next = { backends: files.backends.content, map: files.map.content };
  const steps = planWrites(next, current, unknown, files.rendered);
  const results = await writeFilesAtomic(
    steps.map((step) => ({ path: files[step.file].path, content: step.content })),
    writer?.afterRename,
  );
  const failedAt = results.findIndex((result) => result.status === "failed");
  const failedPath = failedAt >= 0 ? files[steps[failedAt]?.file ?? "backends"].path : "";
  // What each file holds after its last renamed step (nothing is renamed after a failure).
  const renamed = new Map<"backends" | "map", string>();
  steps.forEach((step, i) => {
    const result = results[i];
    const { path } = files[step.file];
    if (result === undefined) return;
    if (result.status === "renamed") renamed.set(step.file, step.content);
    if (outcomes.has(step.file) || result.status === "renamed") return;
    const held = renamed.get(step.file);
    const error = result.status === "failed" ? { error: result.error } : undefined;
    if (held !== undefined)
      outcomes.set(step.file, changed(path, reads[step.file], held, error ?? { waitingFor: failedPath }));
    else if (error) outcomes.set(step.file, { path, status: "failed", ...error });
    else outcomes.set(step.file, { path, status: "not-attempted", waitingFor: failedPath });
  });
  return finish(files, outcomes, reads);
}

// Fills in the outcomes of the files not failed or postponed: changed (from what was read) or unchanged.
function finish(
  files: OutputFiles,
  outcomes: Map<"backends" | "map", FileOutcome>,
  reads: FilePair<Read>,
): FileOutcome[] {
  return (["backends", "map"] as const).map((file) => {
    const known = outcomes.get(file);
    if (known) return known;
    const { path, content } = files[file];
    const read = reads[file];
    if ("content" in read && read.content === content) return { path, status: "unchanged" };
    return changed(path, read, content);
  });
}

// A changed file's outcome: what was read before, why it was replaced unread, what it holds now.
function changed(path: string, read: Read, content: string, unfinished?: UnfinishedWrite): FileOutcome {
  const previous = "content" in read ? read.content : null;
  const replaced = "replaced" in read ? read.replaced : undefined;
  return {
    path,
    status: "changed",
    previous,
    content,
    ...(replaced ? { replaced } : {}),
    ...(unfinished ? { unfinished } : {}),
  };
}

// What the file holds now: a regular file's text, null when absent, not a regular file or over `maxBytes`
// (then why).
async function readOutput(path: string, maxBytes: number): Promise<Read> {
  try {
    const found = await readRegularFile(path, maxBytes);
    if (found.kind === "file") return { content: found.content };
    if (found.kind === "absent") return { content: null };
    return { content: null, replaced: found.reason };
  } catch (error) {
    return { error };
  }
}
