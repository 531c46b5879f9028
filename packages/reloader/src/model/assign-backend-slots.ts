// One backend's container → slot assignment (assign-slots.ts runs it for every backend that changed):
// what a container keeps, where a newcomer goes, and when a backend grows by a block. Why a slot freed at
// runtime waits for the next change before it takes another container: assign-slots.ts.
import { compareStrings, type SharedBackend, type SharedServer } from "@rancher-haproxy/core";
import {
  endpointOf,
  sameOptions,
  serverOptions,
  SLOT_COOKIE,
  type ServerOptions,
  type Slot,
} from "./server-slots.js";

/** at most this many option sets of one backend's containers are handed out to its free slots */
const MAX_FREE_OPTION_SETS = 8;

// `runtime`: free slots keep the options they were loaded with (a runtime step cannot change them), and a
// newcomer takes a free slot loaded with its own options when there is one;
// `reload`: every slot is rendered afresh, free slots with the option sets of the backend's used slots
// in turn (one set, the common case: all of them the first used slot's), then one each for the sets of
// its previous slots no container has now (a service scaled to zero; not one a newcomer took: it
// carries nothing, and a newcomer takes such a slot last), and a backend's size is rounded
// up to a whole number of blocks, free blocks past one spare released (a new worker has no old
// connections, so any slot may take any address).
export type AssignMode = "runtime" | "reload";

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
    return { server, options: before?.options ?? {}, ...(last === undefined ? {} : { last }) };
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
  if (mode === "reload") {
    // In a stack whose services differ in a per-server option (maxconn, the PROXY label), free slots of
    // one set only made every scale-up of the other service a server-options-changed reload.
    const sets: ServerOptions[] = [];
    for (const slot of slots)
      if (
        sets.length < MAX_FREE_OPTION_SETS &&
        slot.server !== null &&
        !sets.some((set) => sameOptions(set, slot.options))
      )
        sets.push(slot.options);
    // Free slots, but fewer than sets: a set left without one made every replacement of its service a
    // server-options-changed reload, whose own assignment left it without one again. A block more.
    let free = slots.filter((slot) => slot.server === null).length;
    while (free > 0 && free < sets.length) {
      grown = true;
      for (let added = 0; added < block; added++) slots.push({ server: null, options: {} });
      free += block;
    }
    // A set its previous slots had that none of its containers has now (a service scaled to zero while
    // its sibling keeps the backend): one free slot each, after one for each set above (they never grow
    // the backend). Given none, that service came back by a server-options-changed reload after any reload.
    const room = Math.max(0, Math.min(free - sets.length, MAX_FREE_OPTION_SETS - sets.length));
    const kept = sets.length > 0 ? carriedSets(previous, slots, backend, servers, sets, room) : [];
    // A backend with no container (a stack held while it redeploys) keeps the options its free slots
    // were loaded with, but what the backend's options add to each of its containers is the backend's
    // now (a slot never loaded takes just that): given none, its containers (the backend's check and
    // cookie, their own labels) came back by a server-options-changed reload after any reload or start
    // while it was held; given the old ones, after the reload that changed them (sticky dropped).
    let turn = 0;
    let left = free;
    for (const [index, slot] of slots.entries()) {
      if (slot.server !== null) continue;
      const own = kept.length - left--;
      slot.options =
        sets.length === 0
          ? heldOptions(backend, previous[index]?.options)
          : own >= 0
            ? { ...kept[own] }
            : { ...sets[turn++ % sets.length] };
    }
  }
  return { slots, grown };
}

// The first `room` option sets of `previous`'s slots (in slot order, each once) that are free now or
// whose container left, as a held slot keeps them (heldOptions), but for those in `sets` (the containers'
// own). Stops at `room`: each set is compared with all found before it, so 20 000 slots of distinct
// maxconn whose containers left cost 9 s of a blocked reloader when all were collected (found by a review).
// A free slot a newcomer takes in this reload (`slots`) carries nothing: its set was paid for, by the
// reload of the sibling that grew into it. Carried on, its backend's spare block gave it the last free slot
// again, and after any reload that released that block the sibling reaching it reloaded again (once per
// rise and fall, without end; found by a review, 2026-12-05).
function carriedSets(
  previous: readonly Slot[],
  slots: readonly Slot[],
  backend: SharedBackend,
  servers: ReadonlyMap<string, SharedServer>,
  sets: readonly ServerOptions[],
  room: number,
): ServerOptions[] {
  const carried: ServerOptions[] = [];
  for (const [index, slot] of previous.entries()) {
    if (carried.length >= room) break;
    if (slot.server != null && servers.has(slot.server)) continue;
    if (slot.server == null && slots[index]?.server != null) continue;
    const options = heldOptions(backend, slot.options);
    const same = (set: ServerOptions) => sameOptions(set, options);
    if (!sets.some(same) && !carried.some(same)) carried.push(options);
  }
  return carried;
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

// The free slots by the address they still have: the lowest of each. One freed by this change too: its
// address is the newcomer's (a container renamed at its address keeps its slot, with no step; moved to
// another, its old slot in maintenance kept the streams to that address, which the next change that
// reused the slot cut by its shutdown).
function homeSlots(slots: readonly Slot[]): Map<string, number> {
  const homes = new Map<string, number>();
  for (const [index, slot] of slots.entries())
    if (slot.server === null && slot.last !== undefined && !homes.has(slot.last)) homes.set(slot.last, index);
  return homes;
}

// The free slot that still has `server`'s address and its options, if any (runtime mode).
function homeFor(
  slots: readonly Slot[],
  homes: ReadonlyMap<string, number>,
  server: SharedServer | undefined,
): number | undefined {
  const home = server === undefined ? undefined : homes.get(endpointOf(server));
  const slot = home === undefined ? undefined : slots[home];
  return server !== undefined && slot?.server === null && sameOptions(slot.options, serverOptions(server))
    ? home
    : undefined;
}

// A held slot's options: its own ones (`loaded`, the containers' labels), with what every container of
// `backend` carries from the backend's own options (the generator's rule) instead of what it had:
// `check` with a check path, a sticky cookie (its slot's name once in a slot).
function heldOptions(backend: SharedBackend, loaded: ServerOptions = {}): ServerOptions {
  const { check: _check, cookie: _cookie, ...own } = loaded;
  return {
    ...own,
    ...(backend.options?.check === undefined ? {} : { check: true }),
    ...(backend.options?.sticky ? { cookie: SLOT_COOKIE } : {}),
  };
}

// Where a runtime newcomer goes: the first free slot from `from` on (not cooling, and `only` when
// given) loaded with its options, else undefined (the caller takes the first free one, whose options
// differ: the plan reloads, server-options-changed). `searched`: per option set (and `only` or not),
// where its next search starts (slots only get taken while a backend is assigned, and a free slot keeps
// whether it is `only`, so none before it is free with these options; Infinity: none left), so thousands
// of newcomers do not scan the same free slots of other options again each (quadratic: 20 000 took 13 s).
function loadedFor(
  slots: readonly Slot[],
  cooling: ReadonlySet<number>,
  from: number,
  server: SharedServer,
  searched: Map<string, number>,
  only?: (index: number) => boolean,
): number | undefined {
  const wanted = serverOptions(server);
  const first = slots[from]; // free and not cooling, and `only` (or past the end)
  if (first?.server === null && sameOptions(first.options, wanted)) return from;
  const key = `${only === undefined ? "any" : "only"}:${JSON.stringify(wanted)}`;
  for (let index = Math.max(from, searched.get(key) ?? from); index < slots.length; index++) {
    const slot = slots[index];
    if (
      slot?.server === null &&
      !cooling.has(index) &&
      (only === undefined || only(index)) &&
      sameOptions(slot.options, wanted)
    ) {
      searched.set(key, index + 1);
      return index;
    }
  }
  searched.set(key, Infinity);
  return undefined;
}

// A reload's size: the previous one rounded up to whole blocks, but a backend that once held many more
// servers (a burst, or a shared file that asked for thousands) shrinks back to what its kept containers'
// highest slot and its server count need, plus one spare block: a runtime step cannot shrink it, and
// thousands of free slots cost HAProxy memory in every worker for good.
function reloadSize(
  previous: readonly Slot[],
  servers: number,
  keeps: (name: string) => boolean,
  block: number,
): number {
  let needed = servers;
  for (let index = previous.length - 1; index >= 0; index--) {
    const name = previous[index]?.server;
    if (name != null && keeps(name)) {
      needed = Math.max(needed, index + 1);
      break;
    }
  }
  return Math.min(roundUp(previous.length, block), roundUp(needed, block) + block);
}

function roundUp(count: number, block: number): number {
  return Math.ceil(count / block) * block;
}
