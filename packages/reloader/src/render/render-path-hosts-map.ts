// path-hosts.map: the reloader's own second map, one `<host> 1` line per path-host marker (the host part
// of every domain.map key with a path), sorted; "" when no key has a path. Pure text.
import { PATH_HOST_MARKER, pathHostMarkers } from "../model/path-host-markers.js";

// The file for these domain.map keys.
export function renderPathHostsMap(keys: Iterable<string>): string {
  return pathHostMarkers(keys)
    .map((marker) => `${marker} ${PATH_HOST_MARKER}\n`)
    .join("");
}

// The file for a domain.map text (its lines' first words): for the tests, the bench and the fuzz check,
// which run HAProxy on our rendered base config with a domain.map of their own.
export function renderPathHostsMapOf(domainMap: string): string {
  return renderPathHostsMap(domainMap.split("\n").map((line) => line.trim().split(/\s+/)[0] ?? ""));
}
