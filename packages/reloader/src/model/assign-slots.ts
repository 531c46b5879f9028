// The container → slot assignment of a table, kept stable across changes: a container keeps its slot,
// a new one takes the lowest free slot, a backend that runs out grows by one block. Pure and total.
import { compareStrings, type SharedBackend } from "@rancher-haproxy/core";
import { serverOptions, type ServerOptions, type Slot, type SlotMap } from "./server-slots.js";

// The assignment and the backends that had to grow (a reload).
export interface AssignedSlots {
  slots: Map<string, Slot[]>;
  grown: string[];
}

// `runtime`: free slots keep the options they were loaded with (a runtime step cannot change them);
// `reload`: every slot is rendered afresh, free slots with the options of the backend's first used slot,
// and a backend's size is rounded up to a whole number of blocks.
export type AssignMode = "runtime" | "reload";

// Assign the servers of `backends` to slots, starting from `previous` (null: none yet).
export function assignSlots(
  previous: SlotMap | null,
  backends: readonly SharedBackend[],
  block: number,
  mode: AssignMode,
): AssignedSlots {
  const slots = new Map<string, Slot[]>();
  const grown: string[] = [];
  for (const backend of [...backends].sort((a, b) => compareStrings(a.name, b.name))) {
    const assigned = assignBackend(previous?.get(backend.name) ?? [], backend, block, mode);
    if (assigned.grown) grown.push(backend.name);
    slots.set(backend.name, assigned.slots);
  }
  return { slots, grown };
}

function assignBackend(
  previous: readonly Slot[],
  backend: SharedBackend,
  block: number,
  mode: AssignMode,
): { slots: Slot[]; grown: boolean } {
  const servers = new Map(backend.servers.map((server) => [server.name, server]));
  const size = mode === "reload" ? roundUp(previous.length, block) : previous.length;
  const slots: Slot[] = Array.from({ length: Math.max(size, block) }, (_, index) => {
    const before = previous[index];
    const server = before?.server != null && servers.has(before.server) ? before.server : null;
    return { server, options: before?.options ?? {} };
  });
  const placed = new Set(slots.map((slot) => slot.server));
  const newcomers = [...servers.keys()].filter((name) => !placed.has(name)).sort(compareStrings);
  let grown = false;
  let free = 0;
  for (const name of newcomers) {
    while (free < slots.length && slots[free]?.server !== null) free++;
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
