// The aliases when metadata does not know the generator's own container (`selfKnown: false`): its 404 on
// the aliases path says nothing about the aliases, so the last answer read is kept, or, before any was
// read (a generator just started), the aliases of the map on disk (read-map-aliases.ts). Before, that 404
// was read as "no aliases": a generator redeployed on an address metadata did not know yet removed a
// single alias at once, and two or more after the guard's window. Logged once per episode.
import type { Logger } from "@rancher-haproxy/core";
import type { MetadataSnapshot } from "../sources/read-metadata.js";

// What the cycles remember: the last aliases answer read while self was known, and whether the warning
// of the current episode was logged.
export interface AliasMemory {
  last: unknown;
  /** an answer was read while self was known */
  known: boolean;
  /** `last` holds the aliases of the map on disk (read once, before any answer) */
  seeded: boolean;
  selfUnknown: boolean;
}

// A memory with nothing read yet.
export function createAliasMemory(): AliasMemory {
  return { last: {}, known: false, seeded: false, selfUnknown: false };
}

// True while neither an answer nor the map on disk gave the aliases to keep: seedAliases is due.
export function needsSeed(memory: AliasMemory): boolean {
  return !memory.known && !memory.seeded;
}

// Before the first answer, the aliases of the map on disk stand for the last one (call only when
// needsSeed: the caller skips the disk read otherwise).
export function seedAliases(memory: AliasMemory, fromDisk: Record<string, string[]>): void {
  memory.last = fromDisk;
  memory.seeded = true;
}

// The snapshot with the aliases to use; remembers a known self's answer, logs the start and the end of an
// episode of unknown self (aliases.self-unknown, warn; aliases.self-known, info).
export function carryAliases(
  memory: AliasMemory,
  snapshot: MetadataSnapshot,
  logger: Logger,
): MetadataSnapshot {
  if (snapshot.selfKnown) {
    if (memory.selfUnknown)
      logger.info(
        { event: "aliases.self-known" },
        "metadata knows the generator's own container again: its aliases are read again",
      );
    memory.last = snapshot.aliases;
    memory.known = true;
    memory.selfUnknown = false;
    return snapshot;
  }
  if (!memory.selfUnknown)
    logger.warn(
      { event: "aliases.self-unknown", kept: memory.known ? "last-read" : "map-on-disk" },
      `metadata does not know the generator's own container (its client IP): keeping the aliases ${
        memory.known ? "last read" : "of the map on disk"
      }`,
    );
  memory.selfUnknown = true;
  return { ...snapshot, aliases: memory.last };
}
