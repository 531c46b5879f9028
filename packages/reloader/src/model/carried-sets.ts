// The option sets a reload keeps on a backend's free slots for services that have no container now (a
// service scaled to zero beside its sibling), so their return needs no reload (assign-backend-slots.ts).
import type { SharedBackend, SharedServer } from "@rancher-haproxy/core";
import { heldOptions } from "./held-options.js";
import { sameOptions, type ServerOptions, type Slot } from "./server-slots.js";

// The first `room` option sets of `previous`'s slots (in slot order, each once) that are free now or
// whose container left, as a held slot keeps them (heldOptions), but for those in `sets` (the containers'
// own). Stops at `room`: each set is compared with all found before it, so 20 000 slots of distinct
// maxconn whose containers left cost 9 s of a blocked reloader when all were collected (found by a review).
// A free slot a newcomer takes in this reload (`slots`) carries nothing: its set was paid for, by the
// reload of the sibling that grew into it. Carried on, its backend's spare block gave it the last free slot
// again, and after any reload that released that block the sibling reaching it reloaded again (once per
// rise and fall, without end; found by a review, 2026-12-05).
export function carriedSets(
  previous: readonly Slot[],
  slots: readonly Slot[],
  backend: SharedBackend,
  servers: ReadonlyMap<string, SharedServer>,
  sets: readonly ServerOptions[],
  room: number,
): ServerOptions[] {
  const carried: ServerOptions[] = [];
  // Option objects already looked at: free slots share one (loadFreeSlots, readSlots), and the same
  // object gives the same held set, already found or carried. 700 backends of 1 000 free slots of one set
  // (carried never fills) took 700 000 spreads and comparisons, ≈ 25 % of such a reload's assignment.
  const seen = new Set<ServerOptions>();
  for (const [index, slot] of previous.entries()) {
    if (carried.length >= room) break;
    if (slot.server != null && servers.has(slot.server)) continue;
    if (slot.server == null && slots[index]?.server != null) continue;
    if (seen.has(slot.options)) continue;
    seen.add(slot.options);
    const options = heldOptions(backend, slot.options);
    const same = (set: ServerOptions) => sameOptions(set, options);
    if (!sets.some(same) && !carried.some(same)) carried.push(options);
  }
  return carried;
}
