// End to end, a TCP service through the real pair: stand-in → generate-maps → files → reloader → HAProxy
// → echo services on 127.0.0.x. A stack labelled map-public-tcp=<public>:<port> on a port listed in
// TCP_PORTS is reached on that port; it scales 1 → 3 → 1 under load (many short connections and a few
// long ones) with 0 failed connections and no reload (the runtime API, as for HTTP); a second stack
// claiming the port loses (lowest stack name wins) and is reported in /routes; a listed port without a
// backend closes connections; HTTP keeps routing.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  freePorts,
  openEchoConnection,
  readReloadCounter,
  readStatusJson,
  startEchoServer,
  tailLogs,
  waitFor,
  worldTree,
  type EchoServer,
  type World,
} from "@rancher-haproxy/test-support";
import { assertCleanStop, get, host, serversOf, startBackends, startWorldPair } from "./helpers/e2e.ts";

// Load on the TCP port until stopped: `short` loops of one-message connections, `long` loops of
// connections kept open for `longMs` with a message every 100 ms. Every failure is kept.
function tcpLoad(port: number, options: { short: number; long: number; longMs: number }) {
  const result = {
    short: 0,
    long: 0,
    messages: 0,
    failures: [] as string[],
    servers: {} as Record<string, number>,
    /** [opened, closed] of every long connection that completed, Date.now() ms */
    longSpans: [] as [number, number][],
  };
  let stopped = false;
  const shortLoop = async (id: number) => {
    for (let n = 0; !stopped; n++) {
      const message = `short ${id}/${n} ${"x".repeat(200)}\n`;
      try {
        const connection = await openEchoConnection(port);
        result.servers[connection.server] = (result.servers[connection.server] ?? 0) + 1;
        await connection.roundTrip(message);
        await connection.end();
        result.short += 1;
      } catch (error) {
        result.failures.push(`short ${id}/${n}: ${(error as Error).message}`);
      }
    }
  };
  const longLoop = async (id: number) => {
    for (let n = 0; !stopped; n++) {
      try {
        const opened = Date.now();
        const connection = await openEchoConnection(port);
        const until = Date.now() + options.longMs;
        for (let i = 0; Date.now() < until; i++) {
          await connection.roundTrip(`long ${id}/${n}/${i}\n`);
          result.messages += 1;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await connection.end();
        result.long += 1;
        result.longSpans.push([opened, Date.now()]);
      } catch (error) {
        result.failures.push(`long ${id}/${n}: ${(error as Error).message}`);
      }
    }
  };
  const loops = [
    ...Array.from({ length: options.short }, (_, id) => shortLoop(id)),
    ...Array.from({ length: options.long }, (_, id) => longLoop(id)),
  ];
  return {
    result,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return result;
    },
  };
}

test("a TCP service behind map-public-tcp scales 1 → 3 → 1 under load with 0 failed connections", async (t) => {
  const echoes: Record<string, EchoServer> = {};
  t.after(() => Promise.all(Object.values(echoes).map((echo) => echo.close())));
  for (const [name, address] of [
    ["data-db-1", "127.0.0.61"],
    ["data-db-2", "127.0.0.62"],
    ["data-db-3", "127.0.0.63"],
    ["rival-db-1", "127.0.0.64"],
  ] as const)
    echoes[name] = await startEchoServer({ name, host: address });
  const http = await startBackends(t, [{ name: "shop-web-1", host: "127.0.0.65" }]);
  const [tcpPort = 0, idlePort = 0] = await freePorts(2);
  const tcp = (echo: EchoServer | undefined) => ({
    backend: { name: echo?.name ?? "", host: echo?.host ?? "", port: echo?.port ?? 0 },
    port: null,
    labels: { "map-public-tcp": `${tcpPort}:${echo?.port ?? 0}` },
  });
  const data = ["data-db-1", "data-db-2", "data-db-3"].map((name) => tcp(echoes[name]));
  const world = (scale: number): World => ({
    stacks: {
      // "data" < "zz-rival": data wins the port, whatever order metadata lists them in
      "zz-rival": [tcp(echoes["rival-db-1"])],
      data: data.slice(0, scale),
      shop: [{ backend: http["shop-web-1"]! }],
    },
  });
  const pair = await startWorldPair(t, world(1), {
    reloaderEnv: { TCP_PORTS: `${tcpPort},${idlePort}` },
    // 3 → 1 removes two thirds of the routed containers at once: written at once here
    generateMapsEnv: { REMOVAL_CONFIRM_SECONDS: "0" },
  });
  const tcpServers = (backends: string) => serversOf(backends, `tcp_${tcpPort}`).length;
  const logs = () => `${tailLogs(pair.reloader.logs)}\n${tailLogs(pair.generateMaps.logs)}`;

  // One container: reached on the public port; the rival's never.
  await pair.waitForApplied((files) => tcpServers(files.backends) === 1);
  const first = await openEchoConnection(tcpPort);
  assert.equal(first.server, "data-db-1");
  await first.roundTrip("hello\n");
  await first.end();
  assert.equal((await get(pair, host("shop"))).body, "shop-web-1", "HTTP routing is untouched");

  // A listed port with no backend: HAProxy accepts and closes, nothing else.
  await assert.rejects(openEchoConnection(idlePort), /closed by the peer/);

  const loadStart = Date.now();
  const reloadsBefore = await readReloadCounter(pair.paths.stateDir);
  const load = tcpLoad(tcpPort, { short: 4, long: 3, longMs: 3000 });
  t.after(() => load.stop());
  await new Promise((resolve) => setTimeout(resolve, 1000));

  // 1 → 3: the new containers get connections.
  pair.metadata.setTree(worldTree(world(3)));
  await pair.waitForApplied((files) => tcpServers(files.backends) === 3, { timeoutMs: 30_000 });
  await waitFor(() => echoes["data-db-2"]!.connections > 0 && echoes["data-db-3"]!.connections > 0, {
    timeoutMs: 20_000,
    message: "data-db-2 and data-db-3 to get connections",
  });

  // 3 → 1: once applied, new connections reach data-db-1 only.
  pair.metadata.setTree(worldTree(world(1)));
  await pair.waitForApplied((files) => tcpServers(files.backends) === 1, { timeoutMs: 30_000 });
  const removed = [echoes["data-db-2"]!.connections, echoes["data-db-3"]!.connections];
  const before = load.result.short;
  await waitFor(() => load.result.short >= before + 30, {
    timeoutMs: 20_000,
    message: "30 more connections",
  });
  const result = await load.stop();

  assert.deepEqual(result.failures, [], `failed connections\n${logs()}`);
  assert.deepEqual(
    [echoes["data-db-2"]!.connections, echoes["data-db-3"]!.connections],
    removed,
    "the removed containers get no new connection",
  );
  assert.equal(echoes["rival-db-1"]!.connections, 0, "the stack that lost the port gets nothing");
  // Both scale events (1 → 3, 3 → 1) were applied through the runtime API, as for HTTP backends: no
  // reload (HAProxy's own counter and worker unchanged), while long connections were open across them.
  const reloadsAfter = await readReloadCounter(pair.paths.stateDir);
  assert.deepEqual(
    [reloadsAfter.reloads, reloadsAfter.workerPid],
    [reloadsBefore.reloads, reloadsBefore.workerPid],
    `no reload for TCP scale events\n${logs()}`,
  );
  const applied = pair.reloader.logs
    .filter((line) => line.event === "runtime.applied" && Date.parse(String(line["time"])) > loadStart)
    .map((line) => Date.parse(String(line["time"])));
  assert.ok(applied.length >= 2, `runtime updates during the load: ${applied.length}`);
  for (const at of applied)
    assert.ok(
      result.longSpans.some(([opened, closed]) => opened < at && at < closed),
      `a long connection spans the runtime update at ${at}: ${JSON.stringify(result.longSpans)}`,
    );
  assert.ok(result.short >= 50 && result.long >= 3, JSON.stringify(result));
  t.diagnostic(
    `tcp load: ${result.short} short connections, ${result.long} long ones (${result.messages} messages), ` +
      `0 failed; by server ${JSON.stringify(result.servers)}`,
  );

  // /routes: the TCP service with its one server, and the rival reported with its reason.
  const listening = pair.generateMaps.logs.find((line) => line.event === "status.listening");
  const routes = await readStatusJson<{
    tcp: { port: number; backend: string; servers: { container: string }[] }[];
    skipped: { container: string; code: string; route?: string; reason: string }[];
  }>(String(listening?.["url"]), "/routes");
  assert.deepEqual(
    routes.json.tcp.map((entry) => [
      entry.port,
      entry.backend,
      entry.servers.map((server) => server.container),
    ]),
    [[tcpPort, `tcp_${tcpPort}`, ["data-db-1"]]],
  );
  const rival = routes.json.skipped.find((skip) => skip.container === "rival-db-1");
  assert.deepEqual([rival?.code, rival?.route], ["tcp-port-conflict", "tcp"]);
  assert.match(rival?.reason ?? "", /claimed by stack "zz-rival" and by stack "data", which wins/);
  await assertCleanStop(pair);
});
