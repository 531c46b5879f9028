// The aliases a routing table maps, for the removal guard. The containers answer is judged by its
// servers, but the aliases come from their own answer: one that flaps (a 404 reads as "no aliases") would
// drop every alias at once while their stacks still run, and the servers would not show it.
import type { RoutingTable } from "../model/routing-table.js";
import { NO_REMOVAL, type RemovalCount } from "./decide-removal-hold.js";

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
