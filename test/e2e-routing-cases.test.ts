// End to end, nine routing cases on one pair (started before them with every case's stacks, HTTPS on and
// three TCP ports listed; stopped cleanly by the last test):
// - who serves a `hosts` name while its stack redeploys: stack mall claims www.shop.com (https=only) and
//   so does stack zoo (a host-conflict mall wins: the lower name). While mall's only container is
//   unhealthy or stopped, www.shop.com must answer 503 (and plain HTTP still its 403), never reach zoo's
//   container (until 2026-12-04 it did: the claim went with mall's last serving container, and zoo's took
//   the name); the down and the up are runtime steps, not reloads. It runs first, right after the pair
//   started, and counts HAProxy's reloads only across its own changes (no other test runs meanwhile).
// - `/explain?host=` against what HAProxy does with the same name: a name whose own keys all have a path
//   is passed over by a request outside those prefixes, which goes on to the wildcard (or mapped parent)
//   that has a key of its own. Until 2026-12-04 explain stopped at the path-only name and said the host
//   went to the path backend, while a browser got the wildcard's stack.
// - a labelled sidekick that shares its primary's network (`net: container:<primary>`): Rancher 1.2+
//   metadata gives it no primary_ip, only its primary's uuid in network_from_container_uuid. It is reached
//   at the primary's address on its own port; before, it was skipped as `no-ip`.
// - who holds a public TCP port while its stack redeploys: stack data (lowest name) and stack zz-rival
//   both claim it; while data's only container is unhealthy, the port must not hand data's clients to
//   zz-rival's service (until 2026-12-04 it did: the winner was picked among serving containers only);
//   its backend is kept with no server meanwhile, so data's up is a runtime step, not a reload (until
//   2026-12-05 the port had no backend, and its down and up each reloaded HAProxy).
// - who serves a path while its service redeploys: stack held's `/` service (web, plain HTTP) and its
//   `/api` service (api, https=only). While api's only container is unhealthy or stopped, /api must answer
//   503 (and HTTP still its 403), not reach web over plain HTTP (until 2026-12-04 it did: the path's keys
//   were dropped with its last serving container, and /api fell to the `/` key).
// - a stack's life: it appears (200 from its container), scales 1 → 3 (answers spread over all three),
//   scales down (the removed ones get nothing), disappears (503) and comes back. A second stack stays
//   routed throughout.
// - the proxy service's aliases and PROXY protocol: an alias added in the proxy's metadata makes
//   `<alias>.<domain>` answer from its stack (and removing it takes it away); a container labelled
//   `send-proxy=send-proxy-v2` gets a PROXY v2 header that a real parsing backend reads.
// - a TCP service: a stack labelled map-public-tcp=<public>:<port> on a port listed in TCP_PORTS is
//   reached on that port; it scales 1 → 3 → 1 under load (many short connections and a few long ones)
//   with 0 failed connections and no reload (the runtime API, as for HTTP); a second stack claiming the
//   port loses (lowest stack name wins) and is reported in /routes; a listed port without a backend
//   closes connections; HTTP keeps routing.
// - issue 13's option labels: own domains and wildcards (and a look-alike that must not match), two
//   services of one stack split by path with and without strip, sticky cookies across 100 requests, an
//   HAProxy health check taking a container out while Rancher still says healthy, maxconn queueing,
//   https=redirect / https=only and HSTS on HTTPS answers. Its stacks never change.
// Each case has stacks, addresses and host names of its own (no other stack claims www.shop.com, a name
// under example.com or example.org, an alias, a TCP port or a path), changes the metadata only through
// setCase or setAliases (every tree either sets keeps the rest as it is) and asks only its own hosts,
// backends and servers.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  freePorts,
  openEchoConnection,
  readReloadCounter,
  readStatusJson,
  httpRequest,
  startBackend,
  startEchoServer,
  startPair,
  tailLogs,
  waitFor,
  waitForAnswer,
  worldTree,
  type Backend,
  type EchoServer,
  type Pair,
  type SimpleResponse,
  type World,
} from "@rancher-haproxy/test-support";
import { recordedCertificate } from "../packages/reloader/test/helpers/test-certificate.ts";
import { Convergence } from "./helpers/convergence.ts";
import {
  assertCleanStop,
  bodyOrStatus,
  Cleanup,
  DOMAIN,
  get,
  host,
  requestCounts,
  serversOf,
  startBackends,
  tally,
} from "./helpers/e2e.ts";
import { startCheckedBackend, type LabelBackend } from "./helpers/label-backends.ts";
import { assertNoReload } from "./helpers/runtime.ts";

const L = "map-public-http";

type Stacks = World["stacks"];
type Case =
  | "tcp"
  | "hostsHeld"
  | "explain"
  | "networkFrom"
  | "tcpOwner"
  | "pathHeld"
  | "lifecycle"
  | "aliasProxy"
  | "labels";

// The hosts case: stacks mall (its container's health or state as given; https=only) and zoo both claim
// www.shop.com.
const hostsHeldStacks = (mall: { health?: string; state?: string }): Stacks => ({
  mall: [
    {
      backend: backends["mall-web-1"]!,
      ...mall,
      labels: { [`${L}.hosts`]: "www.shop.com", [`${L}.https`]: "only" },
    },
  ],
  zoo: [{ backend: backends["zoo-web-1"]!, labels: { [`${L}.hosts`]: "www.shop.com" } }],
});

// The explain case: stack wild's wildcard, stack paths' path-only name under it.
const explainStacks = (): Stacks => ({
  wild: [{ backend: backends["wild-web-1"]!, labels: { [`${L}.hosts`]: "*.example.org" } }],
  paths: [
    {
      backend: backends["paths-api-1"]!,
      service: "api",
      labels: { [`${L}.path`]: "/api", [`${L}.hosts`]: "www.example.org" },
    },
  ],
});

// The sidekick case: stack side's unlabelled primary and its labelled sidekick in `sidekickState`, on the
// primary's network (both listen on the primary's address, each on its own port), and stack other.
const networkFromStacks = (sidekickState: string): Stacks => ({
  side: [
    { backend: backends["side-web-1"]!, port: null },
    {
      backend: backends["side-proxy-1"]!,
      service: "proxy",
      networkFrom: "side-web-1",
      state: sidekickState,
    },
  ],
  other: [{ backend: backends["other-web-1"]! }],
});

// The TCP-owner case: stacks data (its container's health `dataHealth`) and zz-rival claim tcpPort;
// stack front is plain HTTP.
const tcpOwnerStacks = (dataHealth: string): Stacks => {
  const tcp = (echo: EchoServer, health: string) => ({
    backend: { name: echo.name, host: echo.host, port: echo.port },
    port: null,
    health,
    labels: { "map-public-tcp": `${tcpPort}:${echo.port}` },
  });
  return {
    data: [tcp(echoes["data-db-1"]!, dataHealth)],
    "zz-rival": [tcp(echoes["rival-db-1"]!, "healthy")],
    front: [{ backend: backends["front-web-1"]! }],
  };
};

// The path case: stack held's `/` service and its `/api` service (https=only), with `api`'s health or
// state, or without it (null).
const pathHeldStacks = (api: { health?: string; state?: string } | null): Stacks => ({
  held: [
    { backend: backends["held-web-1"]! },
    ...(api === null
      ? []
      : [
          {
            backend: backends["held-api-1"]!,
            service: "api",
            ...api,
            labels: { [`${L}.path`]: "/api", [`${L}.https`]: "only" },
          },
        ]),
  ],
});

// The lifecycle case: stack steady's two containers, and stack grow with `scale` of its three (none: no
// stack grow).
const GROW = ["grow-web-1", "grow-web-2", "grow-web-3"];
const lifecycleStacks = (scale: number): Stacks => ({
  steady: ["steady-web-1", "steady-web-2"].map((name) => ({ backend: backends[name]! })),
  ...(scale > 0 ? { grow: GROW.slice(0, scale).map((name) => ({ backend: backends[name]! })) } : {}),
});

// The aliases case: stacks outlet and journal (the proxy's aliases point at them: setAliases), and stacks
// proxied (send-proxy-v2) and neighbour.
const aliasProxyStacks = (): Stacks => ({
  outlet: [{ backend: backends["outlet-web-1"]! }],
  journal: [{ backend: backends["journal-web-1"]! }],
  proxied: [{ backend: backends["proxied-web-1"]!, labels: { "send-proxy": "send-proxy-v2" } }],
  neighbour: [{ backend: backends["neighbour-web-1"]! }],
});

// The TCP-scaling case: stack cache with `scale` of its three echo services on tcpServicePort ("cache" <
// "zz-cache": cache wins the port, whatever order metadata lists them in), and stack site on HTTP.
const tcpStacks = (scale: number): Stacks => {
  const tcp = (echo: EchoServer) => ({
    backend: { name: echo.name, host: echo.host, port: echo.port },
    port: null,
    labels: { "map-public-tcp": `${tcpServicePort}:${echo.port}` },
  });
  return {
    "zz-cache": [tcp(echoes["cache-rival-1"]!)],
    cache: ["cache-db-1", "cache-db-2", "cache-db-3"].slice(0, scale).map((name) => tcp(echoes[name]!)),
    site: [{ backend: backends["site-web-1"]! }],
  };
};

// One request with a path (and optional method/headers) on a fresh connection.
function request(
  url: string,
  hostName: string,
  path: string,
  extra: { method?: string; headers?: Record<string, string> } = {},
): Promise<SimpleResponse> {
  return httpRequest({ url: new URL(path, url).href, host: hostName, timeoutMs: 5000, ...extra });
}

// The labels case: every stack of issue 13's option labels (none of them ever changes).
const labelStacks = (): Stacks => {
  const sticky = { [`${L}.sticky`]: "true" };
  const check = { [`${L}.check`]: "/healthz" };
  return {
    shop: [
      { backend: backends["shop-web-1"]!, labels: { [`${L}.hosts`]: "www.example.com,*.example.com" } },
      {
        backend: backends["shop-api-1"]!,
        service: "api",
        labels: { [`${L}.path`]: "/api", [`${L}.strip-path`]: "true", [`${L}.hosts`]: "www.example.com" },
      },
      { backend: backends["shop-docs-1"]!, service: "docs", labels: { [`${L}.path`]: "/docs" } },
    ],
    sticky: [
      { backend: backends["sticky-web-1"]!, labels: sticky },
      { backend: backends["sticky-web-2"]!, labels: sticky },
    ],
    checked: [
      { backend: checked1, health: "healthy", labels: check },
      { backend: checked2, health: "healthy", labels: check },
    ],
    limited: [{ backend: slow, labels: { [`${L}.maxconn`]: "1" } }],
    secure: [
      {
        backend: backends["secure-web-1"]!,
        labels: { [`${L}.https`]: "redirect", [`${L}.hsts`]: "600" },
      },
    ],
    strict: [{ backend: backends["strict-web-1"]!, labels: { [`${L}.https`]: "only" } }],
    plain: [{ backend: backends["plain-web-1"]! }],
  };
};

const cleanup = new Cleanup();
let pair: Pair;
let backends: Record<string, Backend>;
const echoes: Record<string, EchoServer> = {};
let tcpPort: number;
let tcpServicePort: number;
let idlePort: number;
let httpsPort: number;
let certificate: { cert: string; key: string };
let cases: Record<Case, Stacks>;
let slow: Backend;
let checked1: LabelBackend;
let checked2: LabelBackend;
// The proxy service's aliases (rancher-compose.yml's `metadata: aliases:`).
let aliases: Record<string, string[]> = { journal: ["www"] };

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

// The world of every case as it stands.
const world = (): World => ({
  stacks: Object.assign({}, ...Object.values(cases)) as Stacks,
  metadata: { ssl_cert: certificate.cert, ssl_key: certificate.key },
  aliases,
});

// Sets one case's stacks in the stand-in's tree, the other cases' as they are.
function setCase(name: Case, stacks: Stacks): void {
  cases[name] = stacks;
  pair.metadata.setTree(worldTree(world()));
}

// Sets the proxy service's aliases in the stand-in's tree, every case's stacks as they are.
function setAliases(next: Record<string, string[]>): void {
  aliases = next;
  pair.metadata.setTree(worldTree(world()));
}

before(async () => {
  backends = await startBackends(cleanup, [
    { name: "mall-web-1", host: "127.0.0.87" },
    { name: "zoo-web-1", host: "127.0.0.88" },
    { name: "wild-web-1", host: "127.0.0.81" },
    { name: "paths-api-1", host: "127.0.0.82" },
    { name: "side-web-1", host: "127.0.0.157" },
    { name: "side-proxy-1", host: "127.0.0.157" },
    { name: "other-web-1", host: "127.0.0.158" },
    { name: "front-web-1", host: "127.0.0.73" },
    { name: "held-web-1", host: "127.0.0.83" },
    { name: "held-api-1", host: "127.0.0.84" },
    { name: "grow-web-1", host: "127.0.0.11" },
    { name: "grow-web-2", host: "127.0.0.12" },
    { name: "grow-web-3", host: "127.0.0.13" },
    { name: "steady-web-1", host: "127.0.0.21" },
    { name: "steady-web-2", host: "127.0.0.22" },
    { name: "site-web-1", host: "127.0.0.65" },
    { name: "shop-web-1", host: "127.0.0.91" },
    { name: "shop-api-1", host: "127.0.0.92" },
    { name: "shop-docs-1", host: "127.0.0.93" },
    { name: "sticky-web-1", host: "127.0.0.94" },
    { name: "sticky-web-2", host: "127.0.0.95" },
    { name: "secure-web-1", host: "127.0.0.98" },
    { name: "strict-web-1", host: "127.0.0.99" },
    { name: "plain-web-1", host: "127.0.0.100" },
    { name: "outlet-web-1", host: "127.0.0.51" },
    { name: "journal-web-1", host: "127.0.0.52" },
    { name: "proxied-web-1", host: "127.0.0.53", proxyProtocol: true },
    { name: "neighbour-web-1", host: "127.0.0.54" },
  ]);
  cleanup.after(() => Promise.all(Object.values(echoes).map((echo) => echo.close())));
  for (const [name, address] of [
    ["data-db-1", "127.0.0.71"],
    ["rival-db-1", "127.0.0.72"],
    ["cache-db-1", "127.0.0.61"],
    ["cache-db-2", "127.0.0.62"],
    ["cache-db-3", "127.0.0.63"],
    ["cache-rival-1", "127.0.0.64"],
  ] as const)
    echoes[name] = await startEchoServer({ name, host: address });
  slow = await startBackend({ name: "limited-web-1", host: "127.0.0.101", delayMs: 1000 });
  cleanup.after(() => slow.close());
  checked1 = await startCheckedBackend(cleanup, "checked-web-1", "127.0.0.96");
  checked2 = await startCheckedBackend(cleanup, "checked-web-2", "127.0.0.97");
  certificate = recordedCertificate();
  const [httpPort = 0, tcp = 0, https = 0, tcpService = 0, idle = 0] = await freePorts(5);
  [tcpPort, httpsPort, tcpServicePort, idlePort] = [tcp, https, tcpService, idle];
  cases = {
    tcp: tcpStacks(1),
    hostsHeld: hostsHeldStacks({ health: "healthy" }),
    explain: explainStacks(),
    networkFrom: networkFromStacks("running"),
    tcpOwner: tcpOwnerStacks("unhealthy"),
    pathHeld: pathHeldStacks({ health: "healthy" }),
    lifecycle: lifecycleStacks(0),
    aliasProxy: aliasProxyStacks(),
    labels: labelStacks(),
  };
  pair = await startPair({
    domain: DOMAIN,
    tree: worldTree(world()),
    httpPort,
    reloaderEnv: {
      ENABLE_SSL: "true",
      HTTPS_PORT: String(httpsPort),
      TCP_PORTS: `${tcpPort},${tcpServicePort},${idlePort}`,
    },
  });
  cleanup.after(() => pair.stop());
});
after(() => cleanup.close());

test("a stack redeploying keeps its hosts claim: 503 over HTTPS and 403 over HTTP, never the rival's container, no reload", async () => {
  const https = `https://127.0.0.1:${httpsPort}`;
  const answer = (url: string) => bodyOrStatus(url, "www.shop.com");
  // mall's server (its container's own address: no other case's server).
  const serving = (files: { backends: string }) => /^\s+server web-\S+ 127\.0\.0\.87:/m.test(files.backends);
  await pair.waitForApplied((files) => serving(files) && files.map.includes(host("zoo")));
  assert.equal(await answer(https), "mall-web-1");
  assert.equal(await answer(pair.url), "status 403", "https=only refuses plain HTTP");
  const baseline = await readReloadCounter(pair.paths.stateDir);

  for (const down of [{ health: "unhealthy" }, { state: "stopped" }]) {
    setCase("hostsHeld", hostsHeldStacks(down));
    await pair.waitForApplied((files) => !serving(files));
    const seen = backends["zoo-web-1"]!.seen.length;
    assert.equal(await answer(https), "status 503", `${JSON.stringify(down)}: over HTTPS`);
    assert.equal(await answer(pair.url), "status 403", `${JSON.stringify(down)}: over HTTP`);
    assert.equal(backends["zoo-web-1"]!.seen.length, seen, "zoo got none of www.shop.com's requests");
    setCase("hostsHeld", hostsHeldStacks({ health: "healthy" }));
    await pair.waitForApplied(serving);
    assert.equal(await answer(https), "mall-web-1");
  }
  await assertNoReload(pair, baseline, "mall's down and up");
});

interface HostMatch {
  kind: string;
  status: string;
  source: string | null;
  backend: string | null;
  via: string | null;
  reason: string;
}

test("explain of a name with only path keys names the backend its other paths reach, as HAProxy routes them", async () => {
  await pair.waitForApplied((files) => files.map.includes("www.example.org/api"));
  const body = (path: string) => bodyOrStatus(pair.url, "www.example.org", path);
  assert.equal(await body("/api/x"), "paths-api-1");
  assert.equal(await body("/"), "wild-web-1", "HAProxy: outside /api, the wildcard's stack");

  const listening = pair.generateMaps.logs.find((line) => line.event === "status.listening");
  const explained = await readStatusJson<{ matches: HostMatch[] }>(
    String(listening?.["url"]),
    "/explain?host=www.example.org",
  );
  const match = explained.json.matches.find((entry) => entry.kind === "host");
  assert.deepEqual(
    [match?.status, match?.source, match?.backend, match?.via],
    ["routed", "wildcard", "wild", "*.example.org"],
    JSON.stringify(match),
  );
  assert.match(match?.reason ?? "", /by path prefix: www\.example\.org\/api → paths\.api/);
});

test("a labelled sidekick on its primary's network is routed at the primary's address; stopped, it is not", async () => {
  const proxy = backends["side-proxy-1"]!;
  const applied = await pair.waitForApplied((files) => serversOf(files.backends, "side").length === 1);
  assert.deepEqual(serversOf(applied.backends, "side"), [`127.0.0.157:${proxy.port}`]);
  assert.deepEqual(await tally(pair, host("side"), 10), { "side-proxy-1": 10 });
  assert.equal(
    pair.generateMaps.count("container-skipped", (l) => l["code"] === "no-ip"),
    0,
  );

  setCase("networkFrom", networkFromStacks("stopped"));
  await pair.waitForApplied((files) => serversOf(files.backends, "side").length === 0);
  assert.deepEqual(Object.keys(await tally(pair, host("other"), 5)), ["other-web-1"]);
});

test("a stack redeploying keeps its TCP port: the rival stack's containers get no connection meanwhile", async () => {
  const files = await pair.waitForApplied((applied) => applied.map.includes(host("front")));
  assert.equal((await get(pair, host("front"))).body, "front-web-1");
  // (Its own port's backend: the TCP case's port has one.) Held with no server, as a held path's, so
  // data's up is a runtime step (until 2026-12-05 the port had no backend: its down and up reloaded).
  assert.match(files.backends, new RegExp(`^backend tcp_${tcpPort}$`, "m"), "data's backend is kept");
  assert.deepEqual(serversOf(files.backends, `tcp_${tcpPort}`), [], "with no server while data is unhealthy");
  const answer = await openEchoConnection(tcpPort).then(
    async (connection) => {
      await connection.end();
      return `reached ${connection.server}`;
    },
    (error: Error) => error.message,
  );
  assert.match(answer, /closed by the peer/, "the port accepts and closes, it does not reach zz-rival");
  assert.equal(echoes["rival-db-1"]!.connections, 0, "zz-rival's database got none of data's clients");

  // data's container passes its checks again: the port is data's, without a reload.
  const baseline = await readReloadCounter(pair.paths.stateDir);
  setCase("tcpOwner", tcpOwnerStacks("healthy"));
  await pair.waitForApplied((applied) => serversOf(applied.backends, `tcp_${tcpPort}`).length === 1);
  const connection = await openEchoConnection(tcpPort);
  assert.equal(connection.server, "data-db-1");
  await connection.end();
  assert.equal(echoes["rival-db-1"]!.connections, 0);
  await assertNoReload(pair, baseline, "data's up");
});

test("a path service redeploying keeps its path: 503 over HTTPS and 403 over HTTP, never the / service", async () => {
  const https = `https://127.0.0.1:${httpsPort}`;
  const answer = (url: string, path: string) => bodyOrStatus(url, host("held"), path);
  // held's api server (its container's own address: no other case's server).
  const apiServer = /^\s+server api-\S+ 127\.0\.0\.84:/m;
  await pair.waitForApplied((files) => apiServer.test(files.backends));
  assert.equal(await answer(https, "/api/orders"), "held-api-1");
  assert.equal(await answer(pair.url, "/api/orders"), "status 403", "https=only refuses plain HTTP");
  assert.equal(await answer(pair.url, "/"), "held-web-1");

  // api's container fails its health check, or is stopped (a redeploy): /api is api's all along, and
  // api serves it again once healthy and running.
  for (const down of [{ health: "unhealthy" }, { state: "stopped" }]) {
    setCase("pathHeld", pathHeldStacks(down));
    await pair.waitForApplied((files) => !apiServer.test(files.backends));
    const seen = backends["held-web-1"]!.seen.length;
    assert.equal(await answer(https, "/api/orders"), "status 503", `${JSON.stringify(down)}: over HTTPS`);
    assert.equal(await answer(pair.url, "/api/orders"), "status 403", `${JSON.stringify(down)}: over HTTP`);
    assert.equal(backends["held-web-1"]!.seen.length, seen, "web got none of the /api requests");
    assert.equal(await answer(pair.url, "/"), "held-web-1", "web still serves /");
    setCase("pathHeld", pathHeldStacks({ health: "healthy" }));
    await pair.waitForApplied((files) => apiServer.test(files.backends));
    assert.equal(await answer(https, "/api/orders"), "held-api-1");
  }

  // The container leaves metadata: the path is released, and goes to the stack's `/` service.
  setCase("pathHeld", pathHeldStacks(null));
  await pair.waitForApplied((files) => !files.map.includes(`${host("held")}/api`));
  assert.equal(await answer(pair.url, "/api/orders"), "held-web-1");
});

test("a stack appears, scales 1 → 3 → 1, disappears and comes back, through HAProxy", async () => {
  const convergence = new Convergence("new host (lifecycle)");
  const change = (scale: number) => {
    const since = performance.now();
    setCase("lifecycle", lifecycleStacks(scale));
    return since;
  };

  const before = await get(pair, host("grow"));
  assert.equal(before.status, 503, "no route before the stack exists");
  assert.match(before.body, /no route for this host/);
  assert.equal((await get(pair, host("steady"))).status, 200);

  // Appears with one container.
  const appeared = await waitForAnswer({
    url: pair.url,
    host: host("grow"),
    since: change(1),
    expect: (answer) => answer.status === 200 && answer.body === "grow-web-1",
  });
  convergence.add("appear", appeared.elapsedMs);

  // Scales to three: every container gets a share of the requests, nothing else answers.
  let since = change(3);
  await pair.waitForApplied((files) => serversOf(files.backends, "grow").length === 3);
  const spread = await waitForAnswer({
    url: pair.url,
    host: host("grow"),
    since,
    expect: (answer) => answer.body === "grow-web-3",
  });
  convergence.add("scale-up (3rd container answers)", spread.elapsedMs);
  const shares = await tally(pair, host("grow"), 30);
  assert.deepEqual(Object.keys(shares).sort(), GROW, "all three answer");
  for (const [name, count] of Object.entries(shares)) assert.ok(count >= 5, `${name} got ${count} of 30`);

  // Scales back to one: the two removed containers receive nothing more.
  change(1);
  await pair.waitForApplied((files) => serversOf(files.backends, "grow").length === 1);
  const counted = requestCounts(backends);
  assert.deepEqual(await tally(pair, host("grow"), 20), { "grow-web-1": 20 });
  assert.equal(backends["grow-web-2"]!.requests, counted["grow-web-2"], "grow-web-2 removed");
  assert.equal(backends["grow-web-3"]!.requests, counted["grow-web-3"], "grow-web-3 removed");

  // Disappears: a clean 503 for its host, the other stack still answers.
  change(0);
  await pair.waitForApplied((files) => !files.map.includes(host("grow")));
  const gone = await get(pair, host("grow"));
  assert.equal(gone.status, 503);
  assert.match(gone.body, /no route for this host/);
  assert.equal(serversOf((await pair.waitForApplied()).backends, "grow").length, 0, "no backend block");
  const steadyShares = await tally(pair, host("steady"), 10);
  assert.deepEqual(Object.keys(steadyShares).sort(), ["steady-web-1", "steady-web-2"]);

  // Comes back with two containers.
  since = change(2);
  const back = await waitForAnswer({ url: pair.url, host: host("grow"), since });
  convergence.add("re-appear", back.elapsedMs);
  assert.match(back.response.body, /^grow-web-[12]$/);

  convergence.print();
  // Over the whole shared pair's life so far (every case's changes).
  assert.equal(pair.generateMaps.count("metadata-unavailable"), 0);
  assert.equal(pair.reloader.count("reload.failed"), 0);
  assert.equal(pair.reloader.count("check.failed"), 0);
});

test("an alias added in the proxy service's metadata answers; removed, it is gone", async () => {
  const convergence = new Convergence("new alias");
  assert.deepEqual(await tally(pair, host("www"), 3), { "journal-web-1": 3 }, "the initial alias answers");
  assert.equal((await get(pair, host("store"))).status, 503);

  // rancher-compose.yml's `metadata: aliases: outlet: [store, shop.example]` on the proxy service.
  const since = performance.now();
  setAliases({ journal: ["www"], outlet: ["store", "shop.example"] });
  const store = await waitForAnswer({ url: pair.url, host: host("store"), since });
  convergence.add("store", store.elapsedMs);
  assert.equal(store.response.body, "outlet-web-1");
  assert.deepEqual(await tally(pair, host("shop.example"), 3), { "outlet-web-1": 3 }, "a dotted alias");
  assert.deepEqual(await tally(pair, `x.${host("store")}`, 3), { "outlet-web-1": 3 }, "a sub-domain of it");
  assert.deepEqual(await tally(pair, host("www"), 3), { "journal-web-1": 3 }, "the other alias is kept");

  // The alias moves to the other stack, then is removed.
  const moved = performance.now();
  setAliases({ journal: ["www", "store"] });
  const repointed = await waitForAnswer({
    url: pair.url,
    host: host("store"),
    since: moved,
    expect: (answer) => answer.body === "journal-web-1",
  });
  convergence.add("store moved", repointed.elapsedMs);
  setAliases({ journal: ["www"] });
  await pair.waitForApplied((files) => !files.map.includes(host("store")));
  assert.equal((await get(pair, host("store"))).status, 503);
  assert.equal((await get(pair, host("shop.example"))).status, 503);
  assert.deepEqual(
    await tally(pair, host("outlet"), 3),
    { "outlet-web-1": 3 },
    "the stack keeps its own host",
  );

  convergence.print();
});

test("a container labelled send-proxy-v2 gets a PROXY v2 header; its neighbour without the label does not", async () => {
  const files = await pair.waitForApplied();
  assert.match(files.backends, /server web-\S+ 127\.0\.0\.53:\d+ send-proxy-v2\n/);
  assert.equal(serversOf(files.backends, "neighbour").length, 1);

  const answer = await get(pair, host("proxied"));
  assert.equal(answer.status, 200);
  assert.equal(answer.body, "proxied-web-1");
  const seen = backends["proxied-web-1"]!.seen.at(-1);
  assert.ok(seen?.proxy, "the backend parsed a PROXY header");
  assert.equal(seen.proxy.version, 2);
  assert.equal(seen.proxy.command, "PROXY");
  assert.equal(seen.proxy.family, "TCP4");
  assert.equal(seen.proxy.sourceAddress, "127.0.0.1", "the client's address, as HAProxy saw it");
  assert.equal(seen.proxy.destinationPort, pair.httpPort, "HAProxy's frontend port");
  assert.equal(backends["proxied-web-1"]!.rejectedConnections, 0);
  assert.match(String(answer.headers["x-proxy-protocol"]), /^v2 127\.0\.0\.1:\d+$/);

  assert.deepEqual(await tally(pair, host("neighbour"), 3), { "neighbour-web-1": 3 });
  assert.equal(backends["neighbour-web-1"]!.seen.at(-1)?.proxy, null, "no header without the label");
});

test("a TCP service behind map-public-tcp scales 1 → 3 → 1 under load with 0 failed connections", async (t) => {
  // (3 → 1 removes two of the world's twenty-odd routed containers: under the removal guard's share,
  // written at once.)
  const tcpServers = (backends: string) => serversOf(backends, `tcp_${tcpServicePort}`).length;
  const logs = () => `${tailLogs(pair.reloader.logs)}\n${tailLogs(pair.generateMaps.logs)}`;

  // One container: reached on the public port; the rival's never.
  await pair.waitForApplied((files) => tcpServers(files.backends) === 1);
  const first = await openEchoConnection(tcpServicePort);
  assert.equal(first.server, "cache-db-1");
  await first.roundTrip("hello\n");
  await first.end();
  assert.equal((await get(pair, host("site"))).body, "site-web-1", "HTTP routing is untouched");

  // A listed port with no backend: HAProxy accepts and closes, nothing else.
  await assert.rejects(openEchoConnection(idlePort), /closed by the peer/);

  const loadStart = Date.now();
  const reloadsBefore = await readReloadCounter(pair.paths.stateDir);
  const load = tcpLoad(tcpServicePort, { short: 4, long: 3, longMs: 3000 });
  t.after(() => load.stop());
  await new Promise((resolve) => setTimeout(resolve, 1000));

  // 1 → 3: the new containers get connections.
  setCase("tcp", tcpStacks(3));
  await pair.waitForApplied((files) => tcpServers(files.backends) === 3, { timeoutMs: 30_000 });
  await waitFor(() => echoes["cache-db-2"]!.connections > 0 && echoes["cache-db-3"]!.connections > 0, {
    timeoutMs: 20_000,
    message: "cache-db-2 and cache-db-3 to get connections",
  });

  // 3 → 1: once applied, new connections reach cache-db-1 only.
  setCase("tcp", tcpStacks(1));
  await pair.waitForApplied((files) => tcpServers(files.backends) === 1, { timeoutMs: 30_000 });
  const removed = [echoes["cache-db-2"]!.connections, echoes["cache-db-3"]!.connections];
  const before = load.result.short;
  await waitFor(() => load.result.short >= before + 30, {
    timeoutMs: 20_000,
    message: "30 more connections",
  });
  const result = await load.stop();

  assert.deepEqual(result.failures, [], `failed connections\n${logs()}`);
  assert.deepEqual(
    [echoes["cache-db-2"]!.connections, echoes["cache-db-3"]!.connections],
    removed,
    "the removed containers get no new connection",
  );
  assert.equal(echoes["cache-rival-1"]!.connections, 0, "the stack that lost the port gets nothing");
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

  // /routes: the TCP service with its one server (tcp-owner's case has a port of its own), and the rival
  // reported with its reason.
  const listening = pair.generateMaps.logs.find((line) => line.event === "status.listening");
  const routes = await readStatusJson<{
    tcp: { port: number; backend: string; servers: { container: string }[] }[];
    skipped: { container: string; code: string; route?: string; reason: string }[];
  }>(String(listening?.["url"]), "/routes");
  assert.deepEqual(
    routes.json.tcp
      .filter((entry) => entry.port === tcpServicePort)
      .map((entry) => [entry.port, entry.backend, entry.servers.map((server) => server.container)]),
    [[tcpServicePort, `tcp_${tcpServicePort}`, ["cache-db-1"]]],
  );
  const rival = routes.json.skipped.find((skip) => skip.container === "cache-rival-1");
  assert.deepEqual([rival?.code, rival?.route], ["tcp-port-conflict", "tcp"]);
  assert.match(rival?.reason ?? "", /claimed by stack "zz-cache" and by stack "cache", which wins/);
});

test("own domain, wildcards and a look-alike; two services of one stack split by path, with and without strip", async () => {
  const files = await pair.waitForApplied((applied) => applied.map.includes("www.example.com/api"));
  assert.match(files.map, /^\*\.example\.com shop$/m);
  const answer = async (hostName: string, path: string) => {
    const response = await request(pair.url, hostName, path);
    return response.status === 200 ? response.body : `status ${response.status}`;
  };
  assert.equal(await answer("www.example.com", "/"), "shop-web-1", "own domain");
  assert.equal(await answer("a.b.example.com", "/"), "shop-web-1", "wildcard, any depth");
  assert.equal(await answer("example.com.evil.net", "/"), "status 503", "a look-alike matches nothing");
  assert.equal(await answer("example.com", "/"), "status 503", "*.example.com is not example.com");
  assert.equal(await answer("wwwexample.com", "/"), "status 503");

  assert.equal(await answer("www.example.com", "/api/orders/7?x=1"), "shop-api-1");
  assert.equal(backends["shop-api-1"]!.seen.at(-1)?.url, "/orders/7?x=1", "the prefix is stripped");
  assert.equal(await answer("www.example.com", "/api"), "shop-api-1");
  assert.equal(backends["shop-api-1"]!.seen.at(-1)?.url, "/", "/api becomes /");
  assert.equal(await answer("www.example.com", "/apix"), "shop-web-1", "segment boundary: /apix is not /api");
  assert.equal(
    await answer("shop.e2e.tld", "/api/v1"),
    "shop-api-1",
    "the stack's own host gets the path too",
  );
  assert.equal(
    await answer("x.example.com", "/api/v1"),
    "shop-web-1",
    "the wildcard was claimed without path",
  );

  assert.equal(await answer(host("shop"), "/docs/a/b/c/d"), "shop-docs-1");
  assert.equal(backends["shop-docs-1"]!.seen.at(-1)?.url, "/docs/a/b/c/d", "without strip the path is kept");
  assert.equal(await answer(host("shop"), "/"), "shop-web-1");
  assert.equal(await answer("www.example.com", "/docs"), "shop-web-1", "docs has no hosts label");
});

test("sticky keeps one client on one container across 100 requests; the check takes a failing one out; maxconn queues", async () => {
  await pair.waitForApplied((files) => files.backends.includes("option httpchk GET /healthz"));

  // without a cookie both containers answer (round robin); with the one set, only that one
  assert.deepEqual(Object.keys(await tally(pair, host("sticky"), 6)).sort(), [
    "sticky-web-1",
    "sticky-web-2",
  ]);
  const first = await get(pair, host("sticky"));
  const cookie = String(first.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
  // the value is the name of the server slot the container holds in HAProxy (see DESIGN.md, Runtime updates)
  assert.match(cookie, /^rh_sticky=s\d+$/);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 100; i++) {
    const answer = await request(pair.url, host("sticky"), "/", { headers: { cookie } });
    counts[answer.body] = (counts[answer.body] ?? 0) + 1;
  }
  assert.deepEqual(counts, { [first.body]: 100 });

  // Rancher keeps saying healthy; HAProxy's own check (inter 2s, fall 3) takes checked-web-2 out
  assert.deepEqual(Object.keys(await tally(pair, host("checked"), 6)).sort(), [
    "checked-web-1",
    "checked-web-2",
  ]);
  checked2.healthy = false;
  const since = performance.now();
  let streak = 0;
  while (streak < 10) {
    assert.ok(performance.now() - since < 30_000, "checked-web-2 still answers 30 s after its check failed");
    const answer = await get(pair, host("checked"));
    streak = answer.body === "checked-web-1" ? streak + 1 : 0;
    if (streak === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const outAfter = Math.round(performance.now() - since);
  console.log(
    `checked-web-2 out of rotation ${outAfter} ms after its check started failing (window: 3 x 2 s)`,
  );
  const before = checked2.requests;
  assert.deepEqual(await tally(pair, host("checked"), 10), { "checked-web-1": 10 });
  assert.equal(checked2.requests, before);

  // maxconn=1 on a server answering after 1 s: three requests at once queue and all answer, one by one
  const started = performance.now();
  const answers = await Promise.all(
    [1, 2, 3].map(() =>
      httpRequest({ url: pair.url, host: host("limited"), timeoutMs: 20_000 }).then((answer) => ({
        body: answer.body,
        ms: performance.now() - started,
      })),
    ),
  );
  assert.deepEqual(
    answers.map((answer) => answer.body),
    ["limited-web-1", "limited-web-1", "limited-web-1"],
  );
  const slowest = Math.max(...answers.map((answer) => answer.ms));
  assert.ok(slowest >= 2900, `three 1 s answers through maxconn 1 took only ${Math.round(slowest)} ms`);
});

test("https=redirect answers 301 (GET) / 308 (POST) to https; https=only refuses HTTP; HSTS on HTTPS answers", async () => {
  await pair.waitForApplied((files) => files.backends.includes("Strict-Transport-Security"));
  const https = `https://127.0.0.1:${httpsPort}`;

  const redirected = await request(pair.url, host("secure"), "/a/b?c=1");
  assert.equal(redirected.status, 301);
  assert.equal(redirected.headers["location"], `https://${host("secure")}/a/b?c=1`);
  const posted = await request(pair.url, host("secure"), "/form", { method: "POST" });
  assert.equal(posted.status, 308);
  assert.equal(posted.headers["location"], `https://${host("secure")}/form`);
  const secure = await request(https, host("secure"), "/");
  assert.equal(secure.status, 200);
  assert.equal(secure.body, "secure-web-1");
  assert.equal(secure.headers["strict-transport-security"], "max-age=600");

  assert.equal((await request(pair.url, host("strict"), "/")).status, 403);
  const strict = await request(https, host("strict"), "/");
  assert.equal(strict.body, "strict-web-1");
  assert.equal(strict.headers["strict-transport-security"], undefined);

  const plain = await request(pair.url, host("plain"), "/");
  assert.equal(plain.body, "plain-web-1", "a stack without the labels keeps plain HTTP");
});

test("the pair the twelve tests shared stops cleanly", async () => {
  await assertCleanStop(pair);
});
