// domain.map as DESIGN.md fixes it: `<fqdn> <backend>\n` per host, sorted, no comments, "" when empty.
import type { RoutingTable } from "../model/routing-table.js";

// Renders the map from the table's (already sorted, already validated) hosts; same table, same bytes.
export function renderDomainMap(table: Pick<RoutingTable, "hosts">): string {
  return table.hosts.map((host) => `${host.fqdn} ${host.backend}\n`).join("");
}
