// Where a runtime newcomer back at an address a free slot still has goes (assign-backend-slots.ts): that
// slot, so the streams HAProxy kept on it are not cut.
import type { SharedServer } from "@rancher-haproxy/core";
import { endpointOf, sameOptions, serverOptions, type Slot } from "./server-slots.js";

// The free slots by the address they still have: the lowest of each. One freed by this change too: its
// address is the newcomer's (a container renamed at its address keeps its slot, with no step; moved to
// another, its old slot in maintenance kept the streams to that address, which the next change that
// reused the slot cut by its shutdown).
export function homeSlots(slots: readonly Slot[]): Map<string, number> {
  const homes = new Map<string, number>();
  for (const [index, slot] of slots.entries())
    if (slot.server === null && slot.last !== undefined && !homes.has(slot.last)) homes.set(slot.last, index);
  return homes;
}

// The free slot that still has `server`'s address and its options, if any (runtime mode).
export function homeFor(
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
