// What the state dir holds from earlier runs: snapshot generations and where `current` points.
import { access, readdir, readFile, readlink } from "node:fs/promises";
import type { ProcInfo } from "@rancher-haproxy/core";
import { basename, join } from "node:path";
import {
  generationName,
  INPUT_BACKENDS,
  parseGenerationName,
  SNAPSHOT_INPUTS,
  type StateLayout,
} from "../output/snapshot-layout.js";

// The gen-<n> numbers present, ascending.
export async function listGenerations(layout: StateLayout): Promise<number[]> {
  const names = await readdir(layout.dir).catch(() => [] as string[]);
  return names
    .map(parseGenerationName)
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
}

// The generation `current` points at, or null when there is no usable link.
export function readCurrentGeneration(layout: StateLayout): Promise<number | null> {
  return readGenerationLink(layout.current);
}

// The generation the `kept` link names (see output/kept-link.ts), or null when there is none.
export function readKeptGeneration(layout: StateLayout): Promise<number | null> {
  return readGenerationLink(layout.kept);
}

// The snapshot the workers run, as far as the state dir knows: the `kept` link's while one is left (a
// reload the master gave no verdict on) and its snapshot is on disk, else the one `current` names.
export async function readWorkersGeneration(layout: StateLayout): Promise<number | null> {
  const kept = await readKeptGeneration(layout);
  const there =
    kept !== null &&
    (await access(join(layout.dir, generationName(kept))).then(
      () => true,
      () => false,
    ));
  return there ? kept : readCurrentGeneration(layout);
}

// What the workers of a master found running (`info`: its show proc) run, as far as the state dir knows:
// the `kept` link a reloader killed before a reload's verdict left, unless the master counted a reload
// since the one noted beside it and none failed after it (that reload went live: it loaded `current`);
// else `current`.
export async function readAdoptedGeneration(layout: StateLayout, info: ProcInfo): Promise<number | null> {
  const kept = await readKeptGeneration(layout);
  const note = await readFile(layout.keptReloads, "utf8").catch(() => "");
  const [pid, reloads] = note.trim().split(" ").map(Number);
  const live = pid === info.masterPid && reloads !== undefined && info.reloads > reloads && info.failed === 0;
  return kept !== null && !live ? kept : readCurrentGeneration(layout);
}

// The verbatim copy of the shared backends file gen-<n> was rendered from; null when it has none (a
// snapshot of an older reloader) or it cannot be read.
export function readSnapshotBackends(layout: StateLayout, generation: number): Promise<Buffer | null> {
  const path = join(layout.dir, generationName(generation), SNAPSHOT_INPUTS, INPUT_BACKENDS);
  return readFile(path).catch(() => null);
}

async function readGenerationLink(path: string): Promise<number | null> {
  try {
    return parseGenerationName(basename(await readlink(path)));
  } catch {
    return null;
  }
}
