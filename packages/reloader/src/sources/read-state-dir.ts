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
export function readCurrentGeneration(layout: StateLayout): Promise<number | null> {
  return readGenerationLink(layout.current);
}

// The generation the `kept` link names (see output/kept-link.ts), or null when there is none.
export function readKeptGeneration(layout: StateLayout): Promise<number | null> {
  return readGenerationLink(layout.kept);
}

async function readGenerationLink(path: string): Promise<number | null> {
  try {
    return parseGenerationName(basename(await readlink(path)));
  } catch {
    return null;
  }
}
