// A short hash of what a routing table would write, so the guard can tell "the same reduced answer again"
// from "another answer": equal tables (and so equal files) give equal fingerprints.
import { createHash } from "node:crypto";
import type { RoutingTable } from "../model/routing-table.js";

// sha256 (hex, 16 characters) over every host line and every server line of the table, in table order.
export function fingerprintTable(table: Pick<RoutingTable, "backends" | "hosts">): string {
  const hash = createHash("sha256");
  for (const host of table.hosts) hash.update(`h ${host.fqdn} ${host.backend}\n`);
  for (const backend of table.backends) {
    hash.update(`b ${backend.name}\n`);
    for (const s of backend.servers) hash.update(`s ${s.name} ${s.address}:${s.port} ${s.proxy ?? ""}\n`);
  }
  return hash.digest("hex").slice(0, 16);
}
