// Whether a backend's slot list holds exactly its servers, as runtime assignment would leave it: the check
// that lets assignSlots keep a slot list (or a whole assignment) as it is. Remembered by identity.
import type { SharedServer } from "@rancher-haproxy/core";
import { SLOT_COOKIE, type ServerOptions, type Slot } from "./server-slots.js";

/** slot lists already found to hold exactly a servers array, so the check runs once per list and not
 * for every unchanged backend of every change. Neither is changed once built (a parsed server list is
 * never written, and SharedFilesParser freezes it; a slot list is only written while assignBackendSlots
 * builds it). Weak keys: it holds nothing the tables do not. */
const held = new WeakMap<readonly Slot[], { servers: readonly SharedServer[]; block: number }>();

// Whether `slots` hold exactly `servers` (holdsExactly), remembered per slot list: a table of thousands of
// backends changes one at a time, so most lists are checked once, not on every change.
export function holds(slots: readonly Slot[], servers: readonly SharedServer[], block: number): boolean {
  const known = held.get(slots);
  if (known !== undefined && known.servers === servers && known.block === block) return true;
  if (!holdsExactly(slots, servers, block)) return false;
  held.set(slots, { servers, block });
  return true;
}

// Whether runtime mode, given the servers the slots were assigned for, would give `slots` back as they
// are: at least one block, every server in exactly one slot, each with the options it would get.
function holdsExactly(slots: readonly Slot[], servers: readonly SharedServer[], block: number): boolean {
  if (slots.length < block) return false;
  const several = servers.length > 1;
  const byName = several ? new Map(servers.map((server) => [server.name, server])) : null;
  const placed = several ? new Set<string>() : null;
  let used = 0;
  for (const slot of slots) {
    if (slot.server === null) continue;
    const only = servers[0]?.name === slot.server ? servers[0] : undefined;
    const server = byName === null ? only : byName.get(slot.server);
    if (server === undefined || placed?.has(slot.server) === true || !hasOptionsOf(slot.options, server))
      return false;
    placed?.add(slot.server);
    used += 1;
  }
  // One server: `used` counts its slots; several: `placed` holds each once (a name twice: too few).
  return used === servers.length && (byName === null || byName.size === used);
}

// Whether `options` is serverOptions(server), key order included (slots.json writes it as it is).
function hasOptionsOf(options: ServerOptions, server: SharedServer): boolean {
  const keys = Object.keys(options);
  const values = options as Record<string, unknown>;
  let at = 0;
  for (const [key, value] of Object.entries(server)) {
    if (key === "name" || key === "address" || key === "port") continue;
    if (keys[at++] !== key || values[key] !== (key === "cookie" ? SLOT_COOKIE : value)) return false;
  }
  return at === keys.length;
}
