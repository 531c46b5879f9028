// End to end, who holds a public TCP port while its stack redeploys: stack data (lowest name) and stack
// zz-rival both claim it; while data's only container is unhealthy, the port must not hand data's clients
// to zz-rival's service (until 2026-12-04 it did: the winner was picked among serving containers only).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  freePorts,
  openEchoConnection,
  startEchoServer,
  worldTree,
  type EchoServer,
  type World,
} from "@rancher-haproxy/test-support";
import { assertCleanStop, get, host, startBackends, startWorldPair } from "./helpers/e2e.ts";

test("a stack redeploying keeps its TCP port: the rival stack's containers get no connection meanwhile", async (t) => {
  const echoes: Record<string, EchoServer> = {};
  t.after(() => Promise.all(Object.values(echoes).map((echo) => echo.close())));
  for (const [name, address] of [
    ["data-db-1", "127.0.0.71"],
    ["rival-db-1", "127.0.0.72"],
  ] as const)
    echoes[name] = await startEchoServer({ name, host: address });
  const http = await startBackends(t, [{ name: "shop-web-1", host: "127.0.0.73" }]);
  const [tcpPort = 0] = await freePorts(1);
  const tcp = (echo: EchoServer, health: string) => ({
    backend: { name: echo.name, host: echo.host, port: echo.port },
    port: null,
    health,
    labels: { "map-public-tcp": `${tcpPort}:${echo.port}` },
  });
  const world = (dataHealth: string): World => ({
    stacks: {
      data: [tcp(echoes["data-db-1"]!, dataHealth)],
      "zz-rival": [tcp(echoes["rival-db-1"]!, "healthy")],
      shop: [{ backend: http["shop-web-1"]! }],
    },
  });
  const pair = await startWorldPair(t, world("unhealthy"), { reloaderEnv: { TCP_PORTS: String(tcpPort) } });
  const files = await pair.waitForApplied((applied) => applied.map.includes("shop."));
  assert.equal((await get(pair, host("shop"))).body, "shop-web-1");
  assert.doesNotMatch(files.backends, /^backend tcp_/m, "no TCP backend while data's container is unhealthy");
  const answer = await openEchoConnection(tcpPort).then(
    async (connection) => {
      await connection.end();
      return `reached ${connection.server}`;
    },
    (error: Error) => error.message,
  );
  assert.match(answer, /closed by the peer/, "the port accepts and closes, it does not reach zz-rival");
  assert.equal(echoes["rival-db-1"]!.connections, 0, "zz-rival's database got none of data's clients");

  // data's container passes its checks again: the port is data's.
  pair.metadata.setTree(worldTree(world("healthy")));
  await pair.waitForApplied((applied) => applied.backends.includes(`backend tcp_${tcpPort}`));
  const connection = await openEchoConnection(tcpPort);
  assert.equal(connection.server, "data-db-1");
  await connection.end();
  assert.equal(echoes["rival-db-1"]!.connections, 0);
  await assertCleanStop(pair);
});
