// The aliases a routing table maps, for the removal guard. The containers answer is judged by its
// servers, but the aliases come from their own answer: one that flaps (a 404 reads as "no aliases") would
// drop every alias at once while their stacks still run, and the servers would not show it.
import { eachLine, isDnsName } from "@rancher-haproxy/core";
import type { RoutingTable } from "../model/routing-table.js";
import { NO_REMOVAL, type RemovalCount } from "./count-removal.js";

// The aliases of a table: each `domain.map` key an alias gave (with a path, when its stack has path
// backends) → its backend.
export function routedAliases(table: Pick<RoutingTable, "hosts">): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const host of table.hosts) if (host.source === "alias") aliases.set(host.fqdn, host.backend);
  return aliases;
}

// The aliases a candidate table would drop while it still routes their backend: `applied` counts the
// applied aliases whose backend the candidate routes, `removed` those of them it no longer maps. An alias
// that goes with its stack is the servers' count, and one moved to another backend is no removal.
export function countAliasRemoval(
  applied: ReadonlyMap<string, string> | null,
  candidate: Pick<RoutingTable, "hosts" | "backends">,
): RemovalCount {
  if (applied === null || applied.size === 0) return NO_REMOVAL;
  const backends = new Set(candidate.backends.map((backend) => backend.name));
  const mapped = new Set(candidate.hosts.map((host) => host.fqdn));
  let kept = 0;
  let removed = 0;
  for (const [key, backend] of applied) {
    if (!backends.has(backend)) continue;
    if (mapped.has(key)) kept += 1;
    else removed += 1;
  }
  const total = kept + removed;
  return { applied: total, removed, share: total === 0 ? 0 : removed / total };
}

// The aliases dropped over the guard's current window: those mapped when it began (`windowStart`) that
// the candidate no longer maps while it routes their backend, out of those and the ones the files map now
// (so aliases added since, a rename in two steps, dilute the share). 10 → 5 → 3 aliases in two answers is
// 7 of 10; before, each answer was measured against the last map written only and every step went through.
export function countWindowAliasRemoval(
  windowStart: ReadonlyMap<string, string> | null,
  applied: ReadonlyMap<string, string> | null,
  candidate: Pick<RoutingTable, "hosts" | "backends">,
): RemovalCount {
  if (windowStart === null || windowStart === applied || windowStart.size === 0) return NO_REMOVAL;
  const union = new Map(windowStart);
  for (const [key, backend] of applied ?? []) if (!union.has(key)) union.set(key, backend);
  const all = countAliasRemoval(union, candidate);
  const removed = countAliasRemoval(windowStart, candidate).removed;
  return { applied: all.applied, removed, share: all.applied === 0 ? 0 : removed / all.applied };
}

// The window's aliases (key → backend), each one the files now map at another backend moved there: an
// alias moved from blue to green within the window and dropped after blue was gone counted neither as
// routed nor as removed, as if it had gone with blue (found by a review). `window` itself when none moved.
export function followMovedAliases(
  window: ReadonlyMap<string, string>,
  applied: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> {
  let moved: Map<string, string> | null = null;
  for (const [key, backend] of applied) {
    const was = window.get(key);
    if (was !== undefined && was !== backend) (moved ??= new Map(window)).set(key, backend);
  }
  return moved ?? window;
}

// A map line of exactly two words, key and backend. Matched, not split: a line of the untrusted map split
// whole was an array of all its words (one line of 32 MiB: ≈ 440 MB of heap at start; found by a review).
const MAP_LINE = /^\s*(\S+)\s+(\S+)\s*$/;

// The aliases of a domain.map already on disk (key → backend), so the first cycle after a start guards
// them too: each key `<name>.<domain>`, with or without a path, whose name (a DNS name, as aliases are:
// `www` or `www.shop`) is not its backend's stack (that key is the stack's own name), of a stack whose own
// name the map routes too (a map written under this domain routes every stack's). A `hosts` label of
// that form counts as an alias here. Keys under another domain are not counted, so changing STACK_DOMAIN
// across a restart is no removal, even to a parent of the old one: under `tld`, the `shop.dev.tld shop`
// of a map written under `dev.tld` was alias `shop.dev`, and every stack's own name a removed alias
// (held for the window; found by a review). Pure and total.
export function parseMapAliases(text: string, domain: string): Map<string, string> {
  const aliases = new Map<string, string>();
  const owned = new Set<string>(); // the stacks whose own name `<stack>.<domain>` the map routes
  const suffix = `.${domain}`;
  for (const line of eachLine(text)) {
    const [, key = "", backend = ""] = MAP_LINE.exec(line) ?? [];
    if (key === "" || key.startsWith("#")) continue;
    const slash = key.indexOf("/");
    const host = slash === -1 ? key : key.slice(0, slash);
    if (!host.endsWith(suffix)) continue;
    const name = host.slice(0, -suffix.length);
    const stack = stackOf(backend);
    if (name === stack) owned.add(stack);
    else if (isDnsName(name)) aliases.set(key, backend);
  }
  for (const [key, backend] of aliases) if (!owned.has(stackOf(backend))) aliases.delete(key);
  return aliases;
}

// The stack of a backend name (`app` of `app` and of the path backend `app.api`).
function stackOf(backend: string): string {
  return backend.split(".")[0] ?? backend;
}
