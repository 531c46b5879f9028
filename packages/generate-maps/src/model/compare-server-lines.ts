// The order of two candidate server lines when containers compete for one backend slot or port: name,
// address, port, PROXY option. Shared by the HTTP and the TCP grouping so both pick winners alike.
import { compareStrings } from "@rancher-haproxy/core";
import type { Server } from "./routing-table.js";

// Negative when `a` comes first; 0 only for the same line.
export function compareServerLines(a: Server, b: Server): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.address, b.address) ||
    a.port - b.port ||
    compareStrings(a.proxy ?? "", b.proxy ?? "")
  );
}
