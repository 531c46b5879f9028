// The path-host markers: the host part of every domain.map key that has a path (an exact host or a `*.x`
// wildcard: exactly the host expressions the routing rules look up), the keys of path-hosts.map. The
// rules look a host expression's path keys up only when its marker is there, so a host without path
// rules costs lookups in that small (usually empty) map instead of three in domain.map. Pure and total.
import type { MapEntry } from "@rancher-haproxy/core";
import type { MapOp } from "./plan-update.js";

// The value of every marker line (only its presence is looked at).
export const PATH_HOST_MARKER = "1";

// The host part of a key with a path (`*.x.tld/api` → `*.x.tld`), null for a key without one.
export function pathHostOf(key: string): string | null {
  const slash = key.indexOf("/");
  return slash === -1 ? null : key.slice(0, slash);
}

// The distinct markers of these keys, sorted.
export function pathHostMarkers(keys: Iterable<string>): string[] {
  const markers = new Set<string>();
  for (const key of keys) {
    const host = pathHostOf(key);
    if (host !== null) markers.add(host);
  }
  return [...markers].sort();
}

// The domain.map steps `keyOps` (the key diff from `before` to `after`: adds and sets, then deletions) with the marker steps of the change from
// `before` to `after` woven in: a new path key is added before its marker, and a marker deleted after
// its host's last path key. Either order would route every request by the old or the new table: a path
// key without its marker is never looked up (as if absent, and absent it is in one of the two tables),
// and a marker without path keys only adds lookups that miss. This order keeps each marker change
// invisible except where it shows a host's first path keys at once.
export function withMarkerOps(
  keyOps: readonly MapOp[],
  before: readonly MapEntry[],
  after: readonly MapEntry[],
): MapOp[] {
  // The markers change only when a key with a path comes or goes: else no pass over the whole table.
  if (!keyOps.some((op) => op.action !== "set" && pathHostOf(op.fqdn) !== null)) return [...keyOps];
  const old = new Set(pathHostMarkers(before.map((host) => host.fqdn)));
  const now = new Set(pathHostMarkers(after.map((host) => host.fqdn)));
  const adds: MapOp[] = [...now]
    .filter((marker) => !old.has(marker))
    .map((fqdn) => ({ action: "add", fqdn, backend: PATH_HOST_MARKER, map: "path-hosts" }));
  const dels: MapOp[] = [...old]
    .filter((marker) => !now.has(marker))
    .map((fqdn) => ({ action: "del", fqdn, map: "path-hosts" }));
  const firstDel = keyOps.findIndex((op) => op.action === "del");
  const split = firstDel === -1 ? keyOps.length : firstDel;
  return [...keyOps.slice(0, split), ...adds, ...keyOps.slice(split), ...dels];
}
