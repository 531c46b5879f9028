// How many of each stack's aliases become keys. Every alias is a key of each backend of its stack (path
// backends too), so the count is decided per stack, never per backend: a stack whose root backend got an
// alias and whose `/api` backend did not would send `alias/api` to the root. Two bounds, stacks in the
// order of their first backend by name: MAX_ALIAS_KEYS_PER_STACK keys a stack, MAX_TABLE_ALIAS_KEYS the
// whole table; and the bytes left of the map's (map-byte-room.ts).
import { MAX_MAP_BYTES, type MapByteRoom } from "./map-byte-room.js";
import type { Backend, HostRoute } from "./routing-table.js";

// The most alias keys a stack's backends get together: 400 path services and 10 000 aliases made
// 4 million keys (113 MB of domain.map, 1.3 GB of heap) from 167 KB of metadata.
export const MAX_ALIAS_KEYS_PER_STACK = 10_000;

// The most alias keys of the whole table: 270 stacks of 100 path services and 100 aliases made
// 2.7 million keys (a 76 MB domain.map the reloader refuses, so no change reached HAProxy).
export const MAX_TABLE_ALIAS_KEYS = 100_000;

// One stack's share: how many of its aliases (the first, in their order) each of its backends maps, and
// why the rest are not (null: all are).
export interface AliasShare {
  count: number;
  reason: string | null;
}

// The share of every stack that has aliases; the bytes of their keys are taken from `room`.
export function planAliasKeys(
  backends: readonly Backend[],
  aliasesOf: ReadonlyMap<string, readonly HostRoute[]>,
  backendsOf: ReadonlyMap<string, readonly Backend[]>,
  room: MapByteRoom,
): Map<string, AliasShare> {
  const shares = new Map<string, AliasShare>();
  let used = 0;
  for (const { stack } of backends) {
    const aliases = aliasesOf.get(stack);
    if (aliases === undefined || shares.has(stack)) continue;
    const own = backendsOf.get(stack) ?? [];
    const stackBackends = Math.max(own.length, 1);
    const allowed = Math.floor(MAX_ALIAS_KEYS_PER_STACK / stackBackends);
    const fits = Math.floor((MAX_TABLE_ALIAS_KEYS - used) / stackBackends);
    const counted = Math.min(aliases.length, allowed, fits);
    const count = aliasesInRoom(aliases, counted, own, room);
    used += count * stackBackends;
    const first = aliases[count]?.fqdn ?? "";
    const reason =
      count === aliases.length
        ? null
        : count < counted
          ? `only the first ${count} of stack ${stack}'s ${aliases.length} aliases are mapped: the map would pass ${MAX_MAP_BYTES} bytes (stacks in the order of their first backend by name; the first left out: ${first})`
          : count < allowed
            ? `only the first ${count} of stack ${stack}'s ${aliases.length} aliases are mapped: the table's alias keys would pass ${MAX_TABLE_ALIAS_KEYS} (stacks in the order of their first backend by name; the first left out: ${first})`
            : `only the first ${count} of stack ${stack}'s ${aliases.length} aliases are mapped: with its ${stackBackends} backends more would pass ${MAX_ALIAS_KEYS_PER_STACK} keys (the first left out: ${first})`;
    shares.set(stack, { count, reason });
  }
  return shares;
}

// How many of the first `count` aliases fit in `room` as keys of every backend of their stack (each
// `<alias><path> <backend>\n`); their bytes are taken from it.
function aliasesInRoom(
  aliases: readonly HostRoute[],
  count: number,
  backends: readonly Backend[],
  room: MapByteRoom,
): number {
  let fixed = 0;
  for (const backend of backends) fixed += (backend.path?.length ?? 0) + backend.name.length + 2;
  const perBackend = Math.max(backends.length, 1);
  let taken = 0;
  for (let index = 0; index < count; index++) {
    const bytes = fixed + perBackend * (aliases[index]?.fqdn.length ?? 0);
    if (bytes > room.bytes) return index;
    room.bytes -= bytes;
    taken += 1;
  }
  return taken;
}
