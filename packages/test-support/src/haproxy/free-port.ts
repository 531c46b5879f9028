// A TCP port nobody listens on right now (bind port 0, read it, close), for HAProxy's listeners.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

// One free port on `host` (127.0.0.1 by default).
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// `count` distinct free ports.
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
