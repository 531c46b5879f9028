// The container → slot assignment of a table, kept stable across changes: a container keeps its slot,
// a new one takes the lowest free slot, a backend that runs out grows by one block. Pure and total.
//
// At runtime a slot never takes a new address in the change that took its old one away: a request in
// flight on the old address that completes after the slot is ready again leaves its server connection
// attached to the client's keep-alive session, which then keeps reaching the OLD address through the
// slot (HAProxy 2.6, reproduced by test/e2e-runtime-scale.test.ts). So a re-addressed container moves
// to another free slot, and a slot freed by this change is not reused before the next one (a request
// that completes while its slot is in maintenance closes its server connection).
import { compareStrings, type SharedBackend, type SharedServer } from "@rancher-haproxy/core";
import { serverOptions, type ServerOptions, type Slot, type SlotMap } from "./server-slots.js";

// The assignment and the backends that had to grow (a reload).
export interface AssignedSlots {
  slots: Map<string, Slot[]>;
  grown: string[];
}

// `runtime`: free slots keep the options they were loaded with (a runtime step cannot change them);
// `reload`: every slot is rendered afresh, free slots with the options of the backend's first used slot,
// and a backend's size is rounded up to a whole number of blocks (a new worker has no old connections,
// so any slot may take any address).
export type AssignMode = "runtime" | "reload";

// Assign the servers of `backends` to slots, starting from `previous` (null: none yet); `before`: the
// backends `previous` was assigned for (their addresses), which runtime mode needs to move re-addressed
// containers to another slot.
export function assignSlots(
  previous: SlotMap | null,
  backends: readonly SharedBackend[],
  block: number,
  mode: AssignMode,
  before: readonly SharedBackend[] = [],
): AssignedSlots {
  const slots = new Map<string, Slot[]>();
  const grown: string[] = [];
  const oldServers = new Map(before.map((backend) => [backend.name, backend.servers]));
  for (const backend of [...backends].sort((a, b) => compareStrings(a.name, b.name))) {
    const old = mode === "runtime" ? (oldServers.get(backend.name) ?? []) : null;
    const assigned = assignBackend(previous?.get(backend.name) ?? [], backend, block, old);
    if (assigned.grown) grown.push(backend.name);
    slots.set(backend.name, assigned.slots);
  }
  return { slots, grown };
}

// `old`: the servers the previous slots held (runtime mode), null in reload mode.
function assignBackend(
  previous: readonly Slot[],
  backend: SharedBackend,
  block: number,
  old: readonly SharedServer[] | null,
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
  const size = mode === "reload" ? roundUp(previous.length, block) : previous.length;
  // Slots freed by this change (runtime): not reused before the next change.
  const cooling = new Set<number>();
  const slots: Slot[] = Array.from({ length: Math.max(size, block) }, (_, index) => {
    const before = previous[index];
    const server = before?.server != null && keeps(before.server) ? before.server : null;
    if (mode === "runtime" && before?.server != null && server === null) cooling.add(index);
    return { server, options: before?.options ?? {} };
  });
  const placed = new Set(slots.map((slot) => slot.server));
  const newcomers = [...servers.keys()].filter((name) => !placed.has(name)).sort(compareStrings);
  let grown = false;
  let free = 0;
  for (const name of newcomers) {
    while (free < slots.length && (slots[free]?.server !== null || cooling.has(free))) free++;
    if (free === slots.length) {
      grown = true;
      for (let added = 0; added < block; added++) slots.push({ server: null, options: {} });
    }
    slots[free] = { server: name, options: {} };
  }
  for (const slot of slots) {
    const server = slot.server === null ? undefined : servers.get(slot.server);
    if (server) slot.options = serverOptions(server);
  }
  if (mode === "reload") {
    const first = slots.find((slot) => slot.server !== null)?.options ?? {};
    for (const slot of slots) if (slot.server === null) slot.options = { ...first };
  }
  return { slots, grown };
}

function roundUp(count: number, block: number): number {
  return Math.ceil(count / block) * block;
}

// Whether two option sets are the same: same keys, same (primitive) values.
export function sameOptions(a: ServerOptions, b: ServerOptions): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.is(left[key], right[key]));
}
