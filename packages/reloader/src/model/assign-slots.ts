// The container → slot assignment of a table, kept stable across changes: a container keeps its slot,
// a new one takes the lowest free slot, a backend that runs out grows by one block. Pure and total (it
// remembers, by identity, the slot lists and assignments it has found to hold their servers: the same
// answers, without a pass over every backend of a large table on each change).
//
// At runtime a slot never takes a new address in the change that took its old one away: a request in
// flight on the old address that completes after the slot is ready again leaves its server connection
// attached to the client's keep-alive session, which then keeps reaching the OLD address through the
// slot (HAProxy 2.6, reproduced by test/e2e-runtime-scale.test.ts). So a re-addressed container moves
// to another free slot, and a slot freed by this change is not reused before the next one (a request
// that completes while its slot is in maintenance closes its server connection), but by a container at
// its address (one renamed there keeps its slot). A newcomer at another address takes a free slot with
// no address left before one that still has a gone container's (its shutdown would cut that one's
// streams, a database's clients while it is only out of the routing).
import { compareStrings, type SharedBackend, type SharedServer } from "@rancher-haproxy/core";
import { assignBackendSlots, type AssignMode } from "./assign-backend-slots.js";
import type { Slot, SlotMap } from "./server-slots.js";
import { SlotOverlay } from "./slot-overlay.js";
import { holds } from "./slots-hold-servers.js";

export type { AssignMode } from "./assign-backend-slots.js";

// The assignment and the backends that had to grow (a reload). A backend whose servers and slots are
// unchanged keeps its previous slot list (the same array, so later steps can skip it by identity).
export interface AssignedSlots {
  slots: SlotMap;
  grown: string[];
  /** the backends whose slot list may not be `previous`'s own, by name (null: any of them) */
  reassigned: readonly string[] | null;
}

// Assign the servers of `backends` to slots, starting from `previous` (null: none yet); `before`: the
// backends `previous` was assigned for (their addresses), which runtime mode needs to move re-addressed
// containers to another slot; `exhausted` (reload mode): backends that ran out of slots at runtime, each
// given a free block when the reload leaves it none.
export function assignSlots(
  previous: SlotMap | null,
  backends: readonly SharedBackend[],
  block: number,
  mode: AssignMode,
  before: readonly SharedBackend[] = [],
  exhausted: readonly string[] = [],
): AssignedSlots {
  const quick =
    mode === "runtime" && previous !== null ? assignChanged(previous, backends, block, before) : null;
  if (quick !== null) return quick;
  const slots = new Map<string, readonly Slot[]>();
  const grown: string[] = [];
  const byName = (a: SharedBackend, b: SharedBackend) => compareStrings(a.name, b.name);
  const sortedBefore = mode === "runtime" ? [...before].sort(byName) : [];
  // A set: thousands of backends may run out at once (looked up in the list, 60 000 took 7 s).
  const spare = new Set(exhausted);
  let oldServers: Map<string, SharedServer[]> | null = null;
  const serversBefore = (backend: SharedBackend, index: number): SharedServer[] => {
    const there = sortedBefore[index];
    if (there?.name === backend.name) return there.servers; // the same names: no map needed
    oldServers ??= new Map(before.map((old) => [old.name, old.servers]));
    return oldServers.get(backend.name) ?? [];
  };
  for (const [index, backend] of [...backends].sort(byName).entries()) {
    const old = mode === "runtime" ? serversBefore(backend, index) : null;
    const kept = previous?.get(backend.name);
    // The same servers array (the parse reused the backend): the slots stay as they are, if they hold it.
    if (kept !== undefined && old === backend.servers && holds(kept, backend.servers, block)) {
      slots.set(backend.name, kept);
      continue;
    }
    const assigned = assignBackendSlots(kept ?? [], backend, block, old, spare.has(backend.name));
    if (assigned.grown) grown.push(backend.name);
    slots.set(backend.name, assigned.slots);
  }
  // A reload's assignment too: the first runtime change after a reload or a start starts from it.
  remember(slots, backends, block);
  return { slots, grown, reassigned: null };
}

/** assignments whose every list holds exactly its backend's servers (see `held`), with the
 * backends they were made for: the next change starts from one of them (an assignment is never changed
 * once returned) */
const heldMaps = new WeakMap<SlotMap, { backends: readonly SharedBackend[]; block: number }>();

// Record that `slots` holds exactly `backends` (when every list does).
function remember(slots: SlotMap, backends: readonly SharedBackend[], block: number): void {
  for (const backend of backends) {
    const own = slots.get(backend.name);
    if (own === undefined || !holds(own, backend.servers, block)) return;
  }
  heldMaps.set(slots, { backends, block });
}

// What assignSlots' runtime mode gives, in the common case of a change to the table `previous` was
// assigned for (recorded in heldMaps) that keeps every backend name in place: `previous` taken over,
// and only the backends whose servers are not the very same array assigned again (so a change to one
// backend of thousands costs a pass of identity checks and an overlay, slot-overlay.ts). Null: not
// that case.
function assignChanged(
  previous: SlotMap,
  backends: readonly SharedBackend[],
  block: number,
  before: readonly SharedBackend[],
): AssignedSlots | null {
  const known = heldMaps.get(previous);
  if (known?.backends !== before || known.block !== block || before.length !== backends.length) return null;
  const changed: [SharedBackend, SharedBackend][] = [];
  for (let index = 0; index < backends.length; index++) {
    const [was, now] = [before[index], backends[index]];
    if (was === now) continue;
    if (was === undefined || now === undefined || was.name !== now.name) return null;
    if (was.servers !== now.servers) changed.push([was, now]);
  }
  const lists = new Map<string, readonly Slot[]>();
  const grown: string[] = [];
  for (const [was, now] of changed) {
    const assigned = assignBackendSlots(previous.get(now.name) ?? [], now, block, was.servers);
    if (assigned.grown) grown.push(now.name);
    lists.set(now.name, assigned.slots);
  }
  const slots = SlotOverlay.with(previous, lists);
  // The lists taken over hold their (unchanged) servers already: only the new ones are checked.
  if (changed.every(([, now]) => holds(slots.get(now.name) ?? [], now.servers, block)))
    heldMaps.set(slots, { backends, block });
  const reassigned = changed.map(([, now]) => now.name);
  return { slots, grown: grown.sort(compareStrings), reassigned };
}
