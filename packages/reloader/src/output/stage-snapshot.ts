// Snapshots: immutable gen-<n>/ dirs in the state dir, the unit that is checked, loaded and kept as the
// last good configuration: the base config, the backends.cfg, domain.map and path-hosts.map HAProxy
// loads (rendered with server slots), slots.json, and verbatim copies of the shared files they were
// rendered from (inputs/).
import { mkdir, open, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  INPUT_BACKENDS,
  INPUT_MAP,
  SNAPSHOT_BACKENDS,
  SNAPSHOT_BASE,
  SNAPSHOT_INPUTS,
  SNAPSHOT_MAP,
  SNAPSHOT_PATH_HOSTS,
  SNAPSHOT_SLOTS,
  generationName,
  type StateLayout,
} from "./snapshot-layout.js";

// What one snapshot holds.
export interface SnapshotContent {
  base: Buffer;
  /** the rendered files HAProxy loads (a list of buffers: their bytes one after the other) */
  backends: string | readonly Buffer[];
  map: string;
  pathHosts: string;
  slotsJson: string | readonly Buffer[];
  /** the shared files' bytes as read (hashed) */
  inputs: { backends: Buffer; map: Buffer };
}

// Write a fresh gen-<n>/ (replacing a leftover of that number).
export async function stageSnapshot(
  layout: StateLayout,
  generation: number,
  content: SnapshotContent,
): Promise<string> {
  const dir = join(layout.dir, generationName(generation));
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, SNAPSHOT_INPUTS), { recursive: true, mode: 0o700 });
  const file = { mode: 0o600 };
  // Written side by side (the pass waits for the slowest, not for the sum).
  await Promise.all([
    writeFile(join(dir, SNAPSHOT_BASE), content.base, file),
    writeParts(join(dir, SNAPSHOT_BACKENDS), content.backends),
    writeFile(join(dir, SNAPSHOT_MAP), content.map, file),
    writeFile(join(dir, SNAPSHOT_PATH_HOSTS), content.pathHosts, file),
    writeParts(join(dir, SNAPSHOT_SLOTS), content.slotsJson),
    writeFile(join(dir, SNAPSHOT_INPUTS, INPUT_BACKENDS), content.inputs.backends, file),
    writeFile(join(dir, SNAPSHOT_INPUTS, INPUT_MAP), content.inputs.map, file),
  ]);
  return dir;
}

// A new file (mode 0600) holding `content`: a text, or buffers written one after the other (one writev,
// which libuv completes in chunks of at most IOV_MAX; a short count is an error, never a cut file).
async function writeParts(path: string, content: string | readonly Buffer[]): Promise<void> {
  if (typeof content === "string") return writeFile(path, content, { mode: 0o600 });
  const handle = await open(path, "w", 0o600);
  try {
    const total = content.reduce((sum, part) => sum + part.length, 0);
    const { bytesWritten } = await handle.writev(content);
    if (bytesWritten !== total) throw new Error(`${path}: wrote ${bytesWritten} of ${total} bytes`);
  } finally {
    await handle.close();
  }
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
