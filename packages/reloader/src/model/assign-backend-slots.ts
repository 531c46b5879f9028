// One backend's container → slot assignment (assign-slots.ts runs it for every backend that changed):
// what a container keeps, where a newcomer goes, and when a backend grows by a block. Why a slot freed at
// runtime waits for the next change before it takes another container: assign-slots.ts.
import { compareStrings, type SharedBackend, type SharedServer } from "@rancher-haproxy/core";
import { endpointOf, serverOptions, type ServerOptions, type Slot } from "./server-slots.js";
import { heldOptions } from "./held-options.js";
import { homeFor, homeSlots } from "./home-slots.js";
import { loadFreeSlots } from "./load-free-slots.js";
import { loadedFor } from "./loaded-for.js";
import { reloadSize } from "./reload-size.js";

// `runtime`: free slots keep the options they were loaded with (a runtime step cannot change them), and a
// newcomer takes a free slot loaded with its own options when there is one;
// `reload`: every slot is rendered afresh, free slots with the option sets of the backend's used slots
// in turn (one set, the common case: all of them the first used slot's), then one each for the sets of
// its previous slots no container has now (a service scaled to zero; not a slot free before this reload
// that a newcomer took: it carries nothing, and a newcomer takes such a slot last; a slot whose
// container leaves in this reload keeps its set whoever takes it), and a backend's size is rounded
// up to a whole number of blocks, free blocks past one spare released (a new worker has no old
// connections, so any slot may take any address).
export type AssignMode = "runtime" | "reload";

/** a reload's placeholder for a new slot's options: every slot gets its own before the assignment is
 * returned (its container's, or loadFreeSlots'), so one shared, frozen object stands for them all, not a
 * million empty ones for the collector at a million slots (≈ 25 % of the assignment's CPU) */
const UNSET: ServerOptions = Object.freeze({});

// One backend's slots from its previous ones: kept containers stay, newcomers take the lowest free slot
// (in runtime mode not one freed by this change, a free slot that still has the newcomer's address
// first, freed by this change or not, then one that has no address left; in reload mode one loaded with
// a set some container has first), a full backend grows by a block. `old`: the servers
// the previous slots held (runtime mode), null in reload mode. `spare` (reload mode): a backend left
// without a free slot grows by a block (it ran out at runtime: slots-exhausted).
export function assignBackendSlots(
  previous: readonly Slot[],
  backend: SharedBackend,
  block: number,
  old: readonly SharedServer[] | null,
  spare = false,
): { slots: Slot[]; grown: boolean } {
  const mode: AssignMode = old === null ? "reload" : "runtime";
  const servers = new Map(backend.servers.map((server) => [server.name, server]));
  const oldByName = new Map((old ?? []).map((server) => [server.name, server]));
  const keeps = (name: string) => {
    const now = servers.get(name);
    const was = oldByName.get(name);
    return (
      now !== undefined && (old === null || !was || (was.address === now.address && was.port === now.port))
    );
  };
  const size = mode === "reload" ? reloadSize(previous, servers.size, keeps, block) : previous.length;
  // Slots freed by this change (runtime): not reused before the next change.
  const cooling = new Set<number>();
  const slots: Slot[] = Array.from({ length: Math.max(size, block) }, (_, index) => {
    const before = previous[index];
    const server = before?.server != null && keeps(before.server) ? before.server : null;
    if (mode === "runtime" && before?.server != null && server === null) cooling.add(index);
    const last = mode === "runtime" && server === null ? lastOf(before, oldByName) : undefined;
    const slot: Slot = { server, options: before?.options ?? (mode === "reload" ? UNSET : {}) };
    if (last !== undefined) slot.last = last;
    return slot;
  });
  const placed = new Set(slots.map((slot) => slot.server));
  const newcomers = [...servers.keys()].filter((name) => !placed.has(name)).sort(compareStrings);
  let grown = false;
  let free = 0;
  // The lowest free slot with no address kept (runtime): a newcomer takes one before a slot whose
  // container is only out of the routing, whose streams (a database's clients) its shutdown would cut.
  let clean = 0;
  const searched = new Map<string, number>();
  const homes = mode === "runtime" ? homeSlots(slots) : new Map<string, number>();
  const isClean = (index: number) => slots[index]?.last === undefined;
  // Reload: the option sets of the backend's containers, and the lowest free slot loaded with one. Both
  // sides as a held slot keeps them (heldOptions): a reload that also changes the backend's check or
  // sticky cookie (a sibling upgraded with a new check path) found no free slot loaded with a live set,
  // and its first newcomer took a scaled-to-zero service's slot, the set lost (found by a review, 2026-12-05).
  const live =
    mode === "reload"
      ? new Set(backend.servers.map((one) => optionsKey(heldOptions(backend, serverOptions(one)))))
      : null;
  let open = 0;
  const isOpen = (sets: ReadonlySet<string>, index: number) => {
    const slot = slots[index];
    return slot?.server === null && sets.has(optionsKey(heldOptions(backend, slot.options)));
  };
  for (const name of newcomers) {
    // Back at the address a free slot still has (a container back from unhealthy): that slot, so the
    // streams HAProxy kept on it are not cut (slot-ops.ts).
    const home = homeFor(slots, homes, servers.get(name));
    if (home !== undefined) {
      slots[home] = { server: name, options: {} };
      continue;
    }
    while (free < slots.length && (slots[free]?.server !== null || cooling.has(free))) free++;
    if (free === slots.length) {
      grown = true;
      for (let added = 0; added < block; added++) slots.push({ server: null, options: {} });
    }
    const server = servers.get(name);
    let at = free;
    if (mode === "runtime" && server) {
      while (clean < slots.length && (slots[clean]?.server !== null || cooling.has(clean) || !isClean(clean)))
        clean++;
      const loaded = loadedFor(slots, cooling, clean, server, searched, isClean);
      at = loaded ?? loadedFor(slots, cooling, free, server, searched) ?? free;
    } else if (live !== null) {
      // A reload takes a free slot loaded with a set no container has (a service scaled to zero) last,
      // so it keeps that set (carriedSets): taken first, the lowest free slot, its own old one, say, the
      // set counted as paid for and was lost. Two pointers: a search per newcomer for a slot of its own
      // options was quadratic in distinct sets (20 000 newcomers of distinct maxconn: 5.7 s).
      while (open < slots.length && !isOpen(live, open)) open++;
      if (open < slots.length) at = open;
    }
    slots[at] = { server: name, options: {} };
  }
  // A reload for a backend that ran out at runtime, where the reload puts the newcomer in the slot the
  // runtime could not reuse yet: without a free block, its next replacement would need a reload again.
  if (mode === "reload" && spare && slots.every((slot) => slot.server !== null)) {
    grown = true;
    for (let added = 0; added < block; added++) slots.push({ server: null, options: {} });
  }
  for (const slot of slots) {
    const server = slot.server === null ? undefined : servers.get(slot.server);
    if (server) slot.options = serverOptions(server);
  }
  // Reload: every free slot gets its options afresh (loadFreeSlots), a block more when they are too few.
  if (mode === "reload" && loadFreeSlots(previous, slots, backend, servers, block)) grown = true;
  return { slots, grown };
}

// Fixed options as one string, whatever their key order (slots.json's reading and a parsed server line
// list them in different orders).
function optionsKey(options: ServerOptions): string {
  const record = options as Record<string, unknown>;
  return JSON.stringify(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

// The address a runtime change leaves in a free slot: its container's when this change frees it, else
// the one it had (undefined: none known, the placeholder).
function lastOf(before: Slot | undefined, oldByName: ReadonlyMap<string, SharedServer>): string | undefined {
  if (before?.server == null) return before?.last;
  const was = oldByName.get(before.server);
  return was === undefined ? undefined : endpointOf(was);
}
