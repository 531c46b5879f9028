// The runtime steps that move domain.map's keys from what HAProxy runs to the new table (part of
// plan-update.ts's plan). Pure and total.
import type { SharedTable } from "@rancher-haproxy/core";
import type { MapOp } from "./plan-update.js";

// add for a new key, set for a re-pointed one (never del + add: not atomic), del for a removed one.
export function mapOps(before: SharedTable, after: SharedTable): MapOp[] {
  if (before.hosts === after.hosts) return []; // the same list (the parse reused it)
  const old = new Map(before.hosts.map((host) => [host.fqdn, host.backend]));
  const now = new Map(after.hosts.map((host) => [host.fqdn, host.backend]));
  const ops: MapOp[] = [];
  for (const [fqdn, backend] of now) {
    const was = old.get(fqdn);
    if (was === undefined) ops.push({ action: "add", fqdn, backend });
    else if (was !== backend) ops.push({ action: "set", fqdn, backend });
  }
  for (const fqdn of old.keys()) if (!now.has(fqdn)) ops.push({ action: "del", fqdn });
  return ops;
}
