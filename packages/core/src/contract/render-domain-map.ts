// domain.map: `<fqdn> <backend>\n` per host sorted by fqdn, no comments, "" when nothing is routed.
import { compareStrings } from "./compare-strings.js";
import type { MapEntry } from "./shared-table.js";

// The bytes of the map file; pure and deterministic, whatever order the hosts are in.
export function renderDomainMap(table: { readonly hosts: readonly MapEntry[] }): string {
  return [...table.hosts]
    .sort((a, b) => compareStrings(a.fqdn, b.fqdn))
    .map((host) => `${host.fqdn} ${host.backend}\n`)
    .join("");
}
