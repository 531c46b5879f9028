// The slot assignment a snapshot is staged with, under MAX_TOTAL_SLOTS. validate caps the fewest slots a
// table needs, but an assignment kept from before can be larger: a backend a burst grew keeps its size
// while its kept container holds its top slot, and a spare block or one for free option sets comes on top
// (a table of 1 server under the cap was rendered into 1 000 001 slots read back from slots.json, ≈ 5 GB
// in `haproxy -c`). Pure and total: SnapshotStore's staging logs what it decides, and a reload that is
// held or waits asks it, unlogged, whether its staging will refuse the inputs.
import type { SharedBackend } from "@rancher-haproxy/core";
import { assignSlots } from "./assign-slots.js";
import type { SlotMap } from "./server-slots.js";
import { assignedSlots, MAX_TOTAL_SLOTS } from "./slot-bound.js";

// `slots` to stage with (`reassigned`: the slots they replace and theirs, when made afresh), or the slots
// even a fresh assignment renders (`over`: the inputs are refused).
export type BoundedSlotAssignment =
  { slots: SlotMap; reassigned: { before: number; after: number } | null } | { over: number };

// `slots` for `backends` at `block` slots a block when they render at most MAX_TOTAL_SLOTS; else every
// container's slot given afresh when that does; else how many slots that fresh assignment renders.
export function boundSlotAssignment(
  backends: readonly SharedBackend[],
  slots: SlotMap,
  block: number,
): BoundedSlotAssignment {
  if (assignedSlots(slots, MAX_TOTAL_SLOTS) <= MAX_TOTAL_SLOTS) return { slots, reassigned: null };
  const fresh = assignSlots(null, backends, block, "reload").slots;
  const after = assignedSlots(fresh, MAX_TOTAL_SLOTS);
  if (after <= MAX_TOTAL_SLOTS) return { slots: fresh, reassigned: { before: assignedSlots(slots), after } };
  return { over: assignedSlots(fresh) };
}
