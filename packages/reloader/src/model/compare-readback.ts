// The read-back check after runtime steps: what the worker answers (`show servers state <backend>`,
// `get map <map> <key>`) against what the snapshot says. Pure: a difference is a sentence, none is null.
import type { SharedServer } from "@rancher-haproxy/core";
import type { ServerState } from "../haproxy/parse-servers-state.js";
import { slotName, type Slot } from "./server-slots.js";

// Every slot of `backend`: a used one ready at its container's address, a free one in maintenance.
export function compareServers(
  backend: string,
  slots: readonly Slot[],
  servers: readonly SharedServer[],
  states: readonly ServerState[],
): string | null {
  const byName = new Map(servers.map((server) => [server.name, server]));
  const running = new Map(states.map((state) => [state.name, state]));
  for (const [index, slot] of slots.entries()) {
    const name = `${backend}/${slotName(index)}`;
    const state = running.get(slotName(index));
    const server = slot.server === null ? undefined : byName.get(slot.server);
    if (!state) return `${name} is not in show servers state`;
    if (!server) {
      if (!state.maint) return `${name} is free but not in maintenance`;
    } else if (!state.ready) return `${name} (${server.name}) is not ready`;
    else if (state.address !== server.address || state.port !== server.port)
      return `${name} (${server.name}) runs ${state.address}:${state.port}, not ${server.address}:${server.port}`;
  }
  if (states.length !== slots.length)
    return `${backend} has ${states.length} servers, not ${slots.length} slots`;
  return null;
}

// One `get map` answer against the backend the key should go to (null: the key must be absent).
export function compareMapEntry(fqdn: string, expected: string | null, answer: string): string | null {
  const found = /\bfound=(yes|no)\b/.exec(answer)?.[1];
  if (found === undefined)
    return `get map ${fqdn}: unexpected answer ${JSON.stringify(answer.slice(0, 120))}`;
  if (expected === null) return found === "no" ? null : `${fqdn} is still mapped`;
  if (found === "no") return `${fqdn} is not mapped`;
  const value = /\bvalue="([^"]*)"/.exec(answer)?.[1];
  const key = /\bkey="([^"]*)"/.exec(answer)?.[1];
  if (key !== fqdn) return `${fqdn} matched the key ${JSON.stringify(key)}`;
  return value === expected ? null : `${fqdn} goes to ${JSON.stringify(value)}, not ${expected}`;
}
