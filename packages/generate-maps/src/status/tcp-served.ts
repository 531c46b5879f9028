// What a host's explanation says of the TCP backends its stack serves (explain-host.ts).
import type { RoutingTable } from "../model/routing-table.js";

// The most tcp_<port> backends a host's reason names (a stack may win thousands of ports); the rest are counted.
const MAX_TCP_NAMED = 10;

// The TCP backends (`tcp_<port>`) stack `stack` (lower-cased) serves (a held port's, with no server, is
// not served), as a reason names them; "" for none.
// A stack with TCP routes only has no HTTP backend, yet it is there: before (until 2026-12-04) its host
// was "no stack and no alias is named <stack>" (--explain exit 3), or one with "no routed container".
export function tcpServed(table: RoutingTable, stack: string): string {
  const names = table.backends
    .filter((backend) => backend.mode === "tcp" && backend.stack === stack && backend.servers.length > 0)
    .map((backend) => backend.name);
  const [first] = names;
  if (first === undefined) return "";
  if (names.length === 1) return `backend ${first}`;
  const more = names.length > MAX_TCP_NAMED ? ` (and ${names.length - MAX_TCP_NAMED} more)` : "";
  return `backends ${names.slice(0, MAX_TCP_NAMED).join(", ")}${more}`;
}
