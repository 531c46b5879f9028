// What a host's explanation adds for a backend kept with no server (explain-host.ts).
import type { Backend } from "../model/routing-table.js";

// What a request gets from a backend kept with no server (a path or `hosts` claims held while its stack
// redeploys): "routed" alone read as served while HAProxy answered 503 (a review).
export function heldNote(backend: Backend | undefined): string {
  if (backend === undefined || backend.servers.length > 0) return "";
  const plain = backend.options?.https === "only" ? " (403 over plain HTTP: https=only)" : "";
  return `; held with no server (none of its containers is routed now, see notRouted): HAProxy answers 503${plain}`;
}
