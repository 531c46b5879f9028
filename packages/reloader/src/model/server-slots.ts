// The reloader's server slots: every backend HAProxy loads holds a multiple of SERVER_SLOTS `server`
// lines named s1, s2, …; a container (a shared-file server, by name) keeps its slot while it exists, a
// free slot is a `disabled` placeholder. A slot's fixed options (everything on its line but the name and
// address, e.g. the PROXY option) cannot change at runtime, so a slot keeps the options it was loaded with.
import type { SharedServer } from "@rancher-haproxy/core";

// The options of a server line besides name and address (today: the PROXY option).
export type ServerOptions = Omit<SharedServer, "name" | "address" | "port">;

// One slot: the container (shared-file server name) it holds, or null when free, and its fixed options.
export interface Slot {
  server: string | null;
  options: ServerOptions;
  /** free: the `<address>:<port>` its server still has in HAProxy (in maintenance, with any stream still
   * on it) since a runtime change gave it up, until it takes a container or a reload renders it afresh */
  last?: string;
}

// A server's `<address>:<port>`, as a free slot's `last` records it.
export function endpointOf(server: Pick<SharedServer, "address" | "port">): string {
  return `${server.address}:${server.port}`;
}

// Backend name → its slots; slot i is named slotName(i).
export type SlotMap = ReadonlyMap<string, readonly Slot[]>;

/** where a free slot points: a loopback port nothing listens on (it is `disabled`, never used) */
export const PLACEHOLDER = { address: "127.0.0.1", port: 1 } as const;

// The HAProxy server name of slot `index` (0-based): s1, s2, …
export function slotName(index: number): string {
  return `s${index + 1}`;
}

/** a sticky slot's cookie is its own name (see slotServer): the options only record that it has one */
export const SLOT_COOKIE = "slot";

// The fixed options of a shared-file server. A sticky cookie's value is not fixed: the slot renders its
// own name as the value, so any sticky container can take any sticky slot at runtime.
export function serverOptions(server: SharedServer): ServerOptions {
  const { name: _name, address: _address, port: _port, ...options } = server;
  return options.cookie === undefined ? options : { ...options, cookie: SLOT_COOKIE };
}

// The server line HAProxy loads for slot `index`: the container's (or placeholder) address and options,
// named by the slot, and with a sticky cookie, the slot's name as its value: stable while the container
// holds the slot; a client whose container is gone is sent to the one that holds the slot next.
export function slotServer(server: SharedServer, index: number): SharedServer {
  const name = slotName(index);
  return server.cookie === undefined ? { ...server, name } : { ...server, name, cookie: name };
}

// The slot map as plain JSON (slots.json in a snapshot), backends sorted by name. Without `last`: what a
// worker keeps on a free slot is no state a restart starts from.
export function slotsToJson(slots: SlotMap): Record<string, Slot[]> {
  const json: Record<string, Slot[]> = {};
  for (const name of [...slots.keys()].sort()) json[name] = slotListJson(slots.get(name) ?? []);
  return json;
}

// One backend's slots as slots.json holds them: each slot's container and options.
export function slotListJson(slots: readonly Slot[]): Slot[] {
  return slots.map(({ server, options }) => ({ server, options }));
}

// Whether two option sets are the same: same keys, same (primitive) values.
export function sameOptions(a: ServerOptions, b: ServerOptions): boolean {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.is(left[key], right[key]));
}
