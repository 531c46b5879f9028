// End to end, a one-container TCP service (map-public-tcp) redeploying: while its only container is
// unhealthy or stopped, its stack keeps the public port (tcp-port-held), and the down and the up must be
// runtime steps, not reloads (DESIGN.md, issue 12: a container removed from or added to a backend that
// already exists). Its tcp_<port> backend is kept with no server line, as a held path or hosts backend is,
// and the reloader keeps its free slots; meanwhile HAProxy closes the port's connections at once. Until
// 2026-12-05 tcp_<port> left the backends file while held, so the reloader saw a backend leave
// (backends-changed, a reload) and come back (another): two reloads a redeploy, each ending the old
// worker's connections on every port after HARD_STOP_AFTER.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  freePorts,
  openEchoConnection,
  readReloadCounter,
  startEchoServer,
  startPair,
  tailLogs,
  worldTree,
  type EchoServer,
  type Pair,
  type World,
} from "@rancher-haproxy/test-support";
import { Cleanup, DOMAIN } from "./helpers/e2e.ts";
import { assertNoReload } from "./helpers/runtime.ts";

const cleanup = new Cleanup();
let pair: Pair;
let db: EchoServer;
let tcpPort: number;

// Stack data's one database container (its health or state as given) on tcpPort.
const world = (down: { health?: string; state?: string }): World => ({
  stacks: {
    data: [
      {
        backend: { name: db.name, host: db.host, port: db.port },
        port: null,
        health: "healthy",
        ...down,
        labels: { "map-public-tcp": `${tcpPort}:${db.port}` },
      },
    ],
  },
});

// data's server line in the backends file (its container's own address).
const serving = (files: { backends: string }) => /^\s+server \S+ 127\.0\.0\.74:/m.test(files.backends);

before(async () => {
  db = await startEchoServer({ name: "data-db-1", host: "127.0.0.74" });
  cleanup.after(() => db.close());
  const [httpPort = 0, port = 0] = await freePorts(2);
  tcpPort = port;
  pair = await startPair({
    domain: DOMAIN,
    tree: worldTree(world({})),
    httpPort,
    // (the only container going down is all of the routing: no removal guard hold)
    generateMapsEnv: { REMOVAL_CONFIRM_SECONDS: "0" },
    reloaderEnv: { TCP_PORTS: String(tcpPort) },
  });
  cleanup.after(() => pair.stop());
});
after(() => cleanup.close());

test("a one-container TCP service redeploying: its port is held, and the down and the up reload nothing", async () => {
  await pair.waitForApplied(serving);
  const first = await openEchoConnection(tcpPort);
  assert.equal(first.server, "data-db-1");
  await first.end();
  const baseline = await readReloadCounter(pair.paths.stateDir);

  for (const down of [{ health: "unhealthy" }, { state: "stopped" }]) {
    pair.metadata.setTree(worldTree(world(down)));
    const held = await pair.waitForApplied((files) => !serving(files));
    assert.match(held.backends, new RegExp(`^backend tcp_${tcpPort}$`, "m"), "kept with no server");
    await assert.rejects(openEchoConnection(tcpPort), /closed by the peer/, "held: accepts and closes");
    pair.metadata.setTree(worldTree(world({})));
    await pair.waitForApplied(serving);
    const back = await openEchoConnection(tcpPort);
    assert.equal(back.server, "data-db-1");
    await back.end();
  }
  const logs = `${tailLogs(pair.reloader.logs)}\n${tailLogs(pair.generateMaps.logs)}`;
  await assertNoReload(pair, baseline, `data's down and up\n${logs}`);
});
