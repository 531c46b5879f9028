// Whether HAProxy runs the files as they are on disk now: the input triple compared byte for byte
// (by hash) with the snapshot the running worker was confirmed with, how long ago an input changed, and
// whether the backends file is still the empty one the start created (generate-maps never wrote it).
import { access, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  generationName,
  INPUT_BACKENDS,
  INPUT_MAP,
  SNAPSHOT_BACKENDS,
  SNAPSHOT_BASE,
  SNAPSHOT_INPUTS,
  SNAPSHOT_MAP,
  type StateLayout,
} from "../output/snapshot-layout.js";
import type { InputPaths } from "../sources/read-inputs.js";
import { hashTriple, type ReadTriple } from "./hash-triple.js";

// The comparison; `changedAt` is the newest input mtime (ms since the epoch), null when unreadable.
export interface AppliedState {
  generation: number | null;
  applied: boolean;
  /** the sha256 of the input triple on disk (as the applier hashes it), null when unreadable */
  hash: string | null;
  changedAt: number | null;
  /** why the inputs cannot be compared (missing, unreadable, no current snapshot), else null */
  problem: string | null;
  /** the backends file's path while it is empty (0 bytes): generate-maps, which always writes its header
   * line, has not written it; null otherwise (unreadable included) */
  emptyBackends: string | null;
}

// How the two triples are read: hashTriple each time, or the memos of createAppliedStateProbe.
export interface TripleReaders {
  inputs: ReadTriple;
  snapshot: ReadTriple;
}

const READ_EVERY_TIME: TripleReaders = { inputs: hashTriple, snapshot: hashTriple };

// Reads the inputs and snapshot `generation` (the running one; null: nothing runs) and compares them.
export async function readAppliedState(
  inputs: InputPaths,
  layout: StateLayout,
  generation: number | null,
  readers: TripleReaders = READ_EVERY_TIME,
): Promise<AppliedState> {
  const onDisk = await readers.inputs(inputs);
  const facts = { generation, ...(await statInputs(inputs)) };
  if (!onDisk.ok) return { ...facts, applied: false, hash: null, problem: onDisk.problem };
  const { hash } = onDisk;
  if (generation === null)
    return { ...facts, applied: false, hash, problem: "no configuration is confirmed running" };
  const dir = join(layout.dir, generationName(generation));
  // The shared files the snapshot was rendered from (inputs/); a snapshot of an older reloader holds
  // them as they were, beside the base config.
  const copies = join(dir, SNAPSHOT_INPUTS);
  const verbatim = await access(copies).then(
    () => true,
    () => false,
  );
  const running = await readers.snapshot({
    base: join(dir, SNAPSHOT_BASE),
    backends: verbatim ? join(copies, INPUT_BACKENDS) : join(dir, SNAPSHOT_BACKENDS),
    map: verbatim ? join(copies, INPUT_MAP) : join(dir, SNAPSHOT_MAP),
  });
  if (!running.ok) return { ...facts, applied: false, hash, problem: `gen-${generation} cannot be read` };
  return { ...facts, applied: running.hash === hash, hash, problem: null };
}

// One stat per input: the newest mtime (null when none can be read), and the backends file's path while
// it is a regular file of 0 bytes (an unreadable one is not reported).
async function statInputs(inputs: InputPaths): Promise<Pick<AppliedState, "changedAt" | "emptyBackends">> {
  const [base, backends, map] = await Promise.all(
    [inputs.base, inputs.backends, inputs.map].map((path) => stat(path).catch(() => null)),
  );
  const times = [base, backends, map].flatMap((found) => (found ? [found.mtimeMs] : []));
  return {
    changedAt: times.length === 0 ? null : Math.max(...times),
    emptyBackends: backends?.isFile() === true && backends.size === 0 ? inputs.backends : null,
  };
}
