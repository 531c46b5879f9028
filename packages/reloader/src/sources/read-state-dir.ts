// What the state dir holds from earlier runs: snapshot generations and where `current` points.
import { readdir, readlink } from "node:fs/promises";
import { basename } from "node:path";
import { parseGenerationName, type StateLayout } from "../output/snapshot-layout.js";

// The gen-<n> numbers present, ascending.
export async function listGenerations(layout: StateLayout): Promise<number[]> {
  const names = await readdir(layout.dir).catch(() => [] as string[]);
  return names
    .map(parseGenerationName)
    .filter((n): n is number => n !== null)
    .sort((a, b) => a - b);
}

// The generation `current` points at, or null when there is no usable link.
export async function readCurrentGeneration(layout: StateLayout): Promise<number | null> {
  try {
    return parseGenerationName(basename(await readlink(layout.current)));
  } catch {
    return null;
  }
}
