// The options a reload gives a backend's free slots (assign-backend-slots.ts): its containers' option sets
// in turn, then the sets of services that have none now, so a scale-up of any of them needs no reload.
import type { SharedBackend, SharedServer } from "@rancher-haproxy/core";
import { carriedSets } from "./carried-sets.js";
import { heldOptions } from "./held-options.js";
import { sameOptions, type ServerOptions, type Slot } from "./server-slots.js";

/** at most this many option sets of one backend's containers are handed out to its free slots */
const MAX_FREE_OPTION_SETS = 8;

// Give the free slots of `slots` (a reload's assignment from `previous`, used slots already with their
// containers' options) their options, in place, growing it by a block while it has free slots fewer than
// its containers' sets; whether it grew.
export function loadFreeSlots(
  previous: readonly Slot[],
  slots: Slot[],
  backend: SharedBackend,
  servers: ReadonlyMap<string, SharedServer>,
  block: number,
): boolean {
  let grown = false;
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
  // One frozen copy of each set for all the free slots it loads, not a copy per slot: a million slots
  // took a million spreads (≈ 45 % of a reload's assignment CPU); no slot's options change in place.
  const keptCopies = kept.map((set) => Object.freeze({ ...set }));
  const setCopies = sets.map((set) => Object.freeze({ ...set }));
  let turn = 0;
  let left = free;
  for (const [index, slot] of slots.entries()) {
    if (slot.server !== null) continue;
    const own = kept.length - left--;
    slot.options =
      sets.length === 0
        ? heldOptions(backend, previous[index]?.options)
        : own >= 0
          ? (keptCopies[own] ?? {})
          : (setCopies[turn++ % sets.length] ?? {});
  }
  return grown;
}
