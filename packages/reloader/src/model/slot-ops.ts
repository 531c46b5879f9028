// The runtime steps that move one backend's slots from what HAProxy runs to the new assignment (part of
// plan-update.ts's plan). Pure and total.
import type { SharedServer } from "@rancher-haproxy/core";
import type { ServerOp } from "./plan-update.js";
import { endpointOf, sameOptions, type Slot } from "./server-slots.js";

// The steps for one backend's slots (maintenance, shutdown, address, ready), or why a slot cannot take its
// new container at runtime (its options differ: a reload).
export function slotOps(
  backend: string,
  before: readonly Slot[],
  after: readonly Slot[],
  oldServers: readonly SharedServer[],
  newServers: readonly SharedServer[],
): ServerOp[] | string {
  const oldByName = new Map(oldServers.map((server) => [server.name, server]));
  const newByName = new Map(newServers.map((server) => [server.name, server]));
  const ops: ServerOp[] = [];
  for (const [slot, next] of after.entries()) {
    const prev = before[slot];
    const was = prev?.server == null ? undefined : oldByName.get(prev.server);
    const now = next.server === null ? undefined : newByName.get(next.server);
    if (now && !sameOptions(prev?.options ?? {}, next.options))
      return `backend ${backend}: server ${now.name} needs options its slot was not loaded with`;
    // Another container at the same address (one renamed at its address keeps its slot): nothing to do.
    const moved = was && now && (was.address !== now.address || was.port !== now.port);
    if (was && (!now || moved)) ops.push({ backend, slot, action: "maint" });
    if (now && (!was || moved)) {
      // A free slot that still has this address: its streams are this container's (it is back), not
      // another address's, so they are kept (before, a database back from unhealthy lost them all).
      if (was || prev?.last !== endpointOf(now)) ops.push({ backend, slot, action: "shutdown" });
      ops.push({ backend, slot, action: "addr", address: now.address, port: now.port });
      ops.push({ backend, slot, action: "ready" });
    }
  }
  return ops;
}
