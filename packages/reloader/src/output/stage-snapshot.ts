// Snapshots: immutable copies of the three inputs in <state>/gen-<n>/, the unit that is checked,
// loaded and kept as the last good configuration.
import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { InputFiles } from "../sources/read-inputs.js";
import {
  SNAPSHOT_BACKENDS,
  SNAPSHOT_BASE,
  SNAPSHOT_MAP,
  generationName,
  type StateLayout,
} from "./snapshot-layout.js";

// Write the exact bytes that were hashed into a fresh gen-<n>/ (replacing a leftover of that number).
export async function stageSnapshot(
  layout: StateLayout,
  generation: number,
  inputs: InputFiles,
): Promise<string> {
  const dir = join(layout.dir, generationName(generation));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, SNAPSHOT_BASE), inputs.base, { mode: 0o600 });
  await writeFile(join(dir, SNAPSHOT_BACKENDS), inputs.backends, { mode: 0o600 });
  await writeFile(join(dir, SNAPSHOT_MAP), inputs.map, { mode: 0o600 });
  return dir;
}

// Atomically re-point <state>/current at gen-<n> (temp symlink + rename: never absent, never half).
export async function pointCurrent(layout: StateLayout, generation: number): Promise<void> {
  const temp = `${layout.current}.${process.pid}.tmp`;
  await rm(temp, { force: true });
  await symlink(generationName(generation), temp);
  await rename(temp, layout.current);
}

// Remove a snapshot (a failed one, or one pruned away).
export async function removeSnapshot(layout: StateLayout, generation: number): Promise<void> {
  await rm(join(layout.dir, generationName(generation)), { recursive: true, force: true });
}
