// A status listener's connection cap shared between client addresses, so that one client cannot hold it
// all: 64 idle connections from one address, re-opened as soon as they were cut, kept every /healthz
// from another address refused (0 of 25 checks answered in 25 s), and Rancher restarts a container whose
// health check fails. When the listener is full, a new connection from an address that holds fewer
// connections than another address holds stays, and a connection of the address holding the most is
// closed in its place (`evicted`): its oldest with no request being answered, else its oldest (the oldest
// alone cut a 32 MiB /config mid-answer while 63 idle connections of that address stayed). A new
// connection from the address holding the most (or from one of those holding as many) is closed at once
// (`max_connections`, as before). Clients that share one address (the host's agent, or everyone behind
// Docker's userland proxy) share one part.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { DropConnection } from "./count-node-refusals.js";

// Whether a connection has a request being answered (its handler running or its answer being sent).
export type Answering = (socket: Socket) => boolean;

// Holds `server` to `maxConnections` open connections shared between client addresses as above, each
// drop counted through `drop`. Node's own cap (`server.maxConnections`) is set one above it: the new
// connection is accepted before one of the two is closed. The table holds the open connections only.
export function shareConnections(
  server: Server,
  maxConnections: number,
  drop: DropConnection,
  answering: Answering,
): void {
  // Open connections in the order they were accepted, with their client's address.
  const open = new Map<Socket, string>();
  server.maxConnections = maxConnections + 1;
  server.on("connection", (socket: Socket) => {
    // A destroyed socket has left Node's count at once; its `close` comes later.
    for (const other of open.keys()) if (other.destroyed) open.delete(other);
    const address = socket.remoteAddress ?? "";
    open.set(socket, address);
    socket.once("close", () => open.delete(socket));
    if (open.size <= maxConnections) return;
    const victim = evictable(open, address, answering);
    const cut = victim ?? socket;
    drop(cut, victim === null ? "max_connections" : "evicted");
    open.delete(cut);
    cut.destroy();
  });
}

// A connection of the address holding the most connections, other than `address`, when that address held
// fewer than it before its newest connection (the last one in `open`): the oldest not answering, else the
// oldest; null when `address` held as many.
function evictable(open: ReadonlyMap<Socket, string>, address: string, answering: Answering): Socket | null {
  const counts = new Map<string, number>();
  for (const owner of open.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  let most = 0;
  for (const [owner, count] of counts) if (owner !== address && count > most) most = count;
  const held = (counts.get(address) ?? 1) - 1;
  if (most <= held) return null;
  let oldest: Socket | null = null;
  for (const [socket, owner] of open) {
    if (owner === address || counts.get(owner) !== most) continue;
    if (!answering(socket)) return socket;
    oldest ??= socket;
  }
  return oldest;
}
