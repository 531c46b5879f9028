// The identity of a routed container for the removal guard: `<backend>/<server>`, from a routing table or
// from a backends file already on disk (so the guard's baseline survives a restart).
import { eachLine } from "@rancher-haproxy/core";
import type { RoutingTable } from "../model/routing-table.js";

// The `<backend>/<server>` keys of every server a table routes.
export function routedServerKeys(table: Pick<RoutingTable, "backends">): Set<string> {
  const keys = new Set<string>();
  for (const backend of table.backends)
    for (const server of backend.servers) keys.add(`${backend.name}/${server.name}`);
  return keys;
}

const SECTION_LINE =
  /^\s*(global|defaults|frontend|listen|backend|userlist|peers|resolvers|cache|program|http-errors|ring|mailers)(?:\s+(\S+))?\s*$/;
const SERVER_LINE = /^\s*server\s+(\S+)\s/;

// The `<backend>/<server>` keys of a backends file's `server` lines (a section runs until the next section
// keyword, as HAProxy reads it); other lines are ignored, so a hand-edited or older file still gives the
// servers it routes. Pure and total.
export function parseServerKeys(text: string): Set<string> {
  const keys = new Set<string>();
  let backend: string | undefined;
  for (const line of eachLine(text)) {
    const section = SECTION_LINE.exec(line);
    if (section) {
      backend = section[1] === "backend" || section[1] === "listen" ? section[2] : undefined;
      continue;
    }
    const server = SERVER_LINE.exec(line);
    if (server && backend !== undefined) keys.add(`${backend}/${server[1]}`);
  }
  return keys;
}
