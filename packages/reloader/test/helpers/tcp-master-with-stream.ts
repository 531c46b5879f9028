// A master-worker HAProxy of a test's own, proxying TCP with one stream held through its worker (a stop
// with clients), and whether its port still accepts: for tests of the stop's soft stop.
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { writeFile } from "node:fs/promises";
import { freePort, waitFor } from "@rancher-haproxy/test-support";
import { readProc } from "../../src/haproxy/confirm-reload.ts";
import { haproxyArgs, spawnHaproxy, type HaproxyChild } from "../../src/haproxy/spawn-haproxy.ts";
import { stateLayout, type StateLayout } from "../../src/output/snapshot-layout.ts";

// Whether a new TCP connection to 127.0.0.1:`port` is accepted (false: refused).
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNREFUSED" ? resolve(false) : reject(error),
    );
  });
}

// A master (`bin`) in `dir` proxying TCP to a backend that holds every connection, and one stream through
// its worker, which keeps a soft-stopped master alive, as in a stop with clients.
export async function tcpMasterWithStream(
  t: TestContext,
  dir: string,
  bin: string,
): Promise<{ child: HaproxyChild; layout: StateLayout; port: number }> {
  const held: Socket[] = [];
  // A probe through a listening worker ends in a reset here: not this test's failure.
  const backend = createServer((socket) => held.push(socket.on("error", () => undefined)));
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of held) socket.destroy();
    backend.close();
  });
  const backendPort = (backend.address() as { port: number }).port;
  const port = await freePort();
  const config = join(dir, "haproxy.cfg");
  await writeFile(
    config,
    `defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n` +
      `frontend f\n  bind 127.0.0.1:${port}\n  default_backend b\nbackend b\n  server s 127.0.0.1:${backendPort}\n`,
  );
  const layout = stateLayout(dir);
  const child = await spawnHaproxy(bin, haproxyArgs(layout.masterSocket, [config]), () => undefined);
  t.after(async () => {
    child.signal("SIGTERM");
    await child.exited;
  });
  await waitFor(() => readProc(layout.masterSocket), { timeoutMs: 10_000, message: "the master" });
  const stream = connect({ host: "127.0.0.1", port }).on("error", () => undefined);
  t.after(() => stream.destroy());
  await waitFor(() => held.length > 0 || undefined, { timeoutMs: 10_000, message: "the stream" });

  return { child, layout, port };
}
