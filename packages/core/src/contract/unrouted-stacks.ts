// Which stacks of a routing table no host line reaches: the reloader's check of a domain map that is not
// the one generate-maps writes beside the backends file (a stale file, another path). generate-maps names
// at least one backend of each stack it declares in a map line (its `<stack>.<domain>[<path>]` key; two
// services of a stack asking for one path leave one of the two backends unnamed, never the whole stack),
// so a stack none of whose backends a map line names comes from another writer's map.
import { parseTcpBackendName } from "./name-rules.js";
import type { SharedTable } from "./shared-table.js";

// The stack of backend `name`: the name up to its first dot (a stack name holds no dot).
export function stackOfBackend(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? name : name.slice(0, dot);
}

// The stacks of `table`'s backends (not `tcp_<port>`) none of whose backends a host line names, in the
// order of their first backend; an empty map gives every stack (the caller decides what that means).
export function unroutedStacks(table: Pick<SharedTable, "hosts" | "backends">): string[] {
  const routed = new Set<string>();
  for (const host of table.hosts) routed.add(stackOfBackend(host.backend));
  const unrouted = new Set<string>();
  for (const backend of table.backends) {
    if (parseTcpBackendName(backend.name) !== undefined) continue;
    const stack = stackOfBackend(backend.name);
    if (!routed.has(stack)) unrouted.add(stack);
  }
  return [...unrouted];
}
