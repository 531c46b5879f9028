// The demo's ports: the familiar one (8080, 8404) when it is free, so the printed curl lines are the
// usual ones, else any free port.
import { createServer } from "node:net";
import { freePort } from "@rancher-haproxy/test-support";

// `wanted` when nothing listens on it on 127.0.0.1 and it is not in `taken`; else a free port not in `taken`.
export async function pickPort(wanted: number, taken: readonly number[] = []): Promise<number> {
  if (!taken.includes(wanted) && (await isFree(wanted))) return wanted;
  for (;;) {
    const port = await freePort();
    if (!taken.includes(port)) return port;
  }
}

// Whether nothing listens on 127.0.0.1:port now.
export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
