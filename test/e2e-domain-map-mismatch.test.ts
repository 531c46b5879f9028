// The real pair with HAPROXY_DOMAIN_MAP set on the reloader only (a typo, or one compose service's
// environment): generate-maps writes its map elsewhere, the reloader reads the empty one its start created
// beside generate-maps' backends file, and every host gets 503. Until 2026-12-06 both sides looked
// healthy (/healthz ok without a warning, nothing logged or counted): only an empty backends file was
// reported. Now the reloader warns, logs once a rescan interval later and counts it, and clears all three
// once the map it reads routes the stacks.
import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  freePort,
  httpRequest,
  readStatus,
  readStatusJson,
  startEchoServer,
  tailLogs,
  waitFor,
} from "@rancher-haproxy/test-support";
import { host, startBackends, startWorldPair } from "./helpers/e2e.ts";

type Health = { status: string; warnings: string[] };

// The reloader's gauge of an empty map beside stack backends, from its status listener at `url`.
async function mapEmptyGauge(url: string): Promise<string | undefined> {
  return /^reloader_domain_map_empty (\d)$/m.exec((await readStatus(url, "/metrics")).body)?.[1];
}

test("a domain map generate-maps does not write (HAPROXY_DOMAIN_MAP on the reloader only) is warned, logged once and counted", async (t) => {
  const backends = await startBackends(t, [{ name: "shop-web-1", host: "127.0.0.61" }]);
  const shop = backends["shop-web-1"]!;
  const colon = shop.address.lastIndexOf(":");
  const backend = {
    name: "shop-web-1",
    host: shop.address.slice(0, colon),
    port: Number(shop.address.slice(colon + 1)),
  };
  const dir = await mkdtemp(join(tmpdir(), "rh-map-mismatch-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const elsewhere = join(dir, "etc", "domain-typo.map");
  const pair = await startWorldPair(
    t,
    { stacks: { shop: [{ backend }] } },
    {
      dir,
      waitRouted: false,
      reloaderEnv: {
        HAPROXY_DOMAIN_MAP: elsewhere,
        RELOADER_RESCAN_INTERVAL: "1s",
        RELOADER_STATUS_PORT: "0",
        LOG_LEVEL: "debug",
      },
    },
  );
  const { reloader } = pair;
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  await pair.generateMaps.waitForEvent("cycle", { timeoutMs: 30_000 });

  const warning = await reloader.waitForEvent("inputs.map-empty", { timeoutMs: 30_000 });
  assert.deepEqual(
    [warning.level, warning["path"], warning["backends"], warning["backendCount"]],
    [40, elsewhere, pair.paths.backends, 1],
    tailLogs(reloader.logs),
  );
  assert.match(String(warning["msg"]), /shop first.*HAPROXY_DOMAIN_MAP/);
  assert.equal((await httpRequest({ url: pair.url, host: host("shop") })).status, 503, "the symptom");
  const health = await readStatusJson<Health>(url, "/healthz");
  assert.equal(health.json.status, "ok", "a warning, not a failure: HAProxy runs what the files say");
  assert.deepEqual(health.json.warnings, [
    `${elsewhere} is empty while the backends file declares 1 stack backend(s), whose host lines ` +
      "generate-maps writes with them: no host reaches a stack; check that both programs use the same " +
      "HAPROXY_DOMAIN_MAP, and generate-maps' write-failed lines",
  ]);
  const gauge = () => mapEmptyGauge(url);
  assert.equal(await gauge(), "1");
  // Once, not at each check: three rescans after it.
  const from = reloader.logs.indexOf(warning);
  await waitFor(
    () => reloader.logs.slice(from).filter((line) => line.event === "inputs.unchanged").length >= 3,
    { timeoutMs: 20_000, message: "three rescans after the warning" },
  );
  assert.equal(reloader.count("inputs.map-empty"), 1);
  // One cause, one warning: the stale-map report stays silent on an empty map.
  assert.equal(reloader.count("inputs.map-stale"), 0);
  assert.match((await readStatus(url, "/metrics")).body, /^reloader_domain_map_unrouted_stacks 0$/m);

  // The map generate-maps wrote, put where the reloader reads: routed, and all three cleared.
  await copyFile(pair.paths.domainMap, elsewhere);
  await waitFor(async () => (await httpRequest({ url: pair.url, host: host("shop") })).status === 200, {
    timeoutMs: 20_000,
    message: "routed once the map is there",
  });
  const cleared = await reloader.waitForEvent("inputs.map-empty-cleared", { timeoutMs: 20_000 });
  assert.deepEqual([cleared.level, cleared["path"]], [30, elsewhere]);
  assert.equal(await gauge(), "0");
  assert.deepEqual((await readStatusJson<Health>(url, "/healthz")).json.warnings, []);
  // The backends file is generate-maps': its stack is declared there. (Not a count of
  // inputs.backends-empty: that is logged whenever generate-maps takes over a rescan interval, here 1 s,
  // to start and write, which a loaded machine allows.)
  assert.match(await readFile(pair.paths.backends, "utf8"), /^backend shop$/m);
});

// An empty map is normal beside TCP backends only (no host line names a tcp_<port> backend): no alarm.
test("a correct pair routing a TCP service only writes an empty map: nothing is warned, logged or counted", async (t) => {
  const db = await startEchoServer({ name: "data-db-1", host: "127.0.0.62" });
  t.after(() => db.close());
  const tcpPort = await freePort();
  const pair = await startWorldPair(
    t,
    {
      stacks: {
        data: [
          {
            backend: { name: db.name, host: db.host, port: db.port },
            port: null,
            labels: { "map-public-tcp": `${tcpPort}:${db.port}` },
          },
        ],
      },
    },
    {
      reloaderEnv: {
        TCP_PORTS: String(tcpPort),
        RELOADER_RESCAN_INTERVAL: "1s",
        RELOADER_STATUS_PORT: "0",
        LOG_LEVEL: "debug",
      },
    },
  );
  const { reloader } = pair;
  const applied = await pair.waitForApplied(
    (files) => files.map === "" && /^backend tcp_/m.test(files.backends),
  );
  assert.doesNotMatch(applied.backends, /^backend (?!tcp_)/m, "TCP backends only");
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  // Past the grace (two checks 1 s apart): three rescans, 1 s apart as the checks are.
  const from = reloader.logs.length;
  await waitFor(
    () => reloader.logs.slice(from).filter((line) => line.event === "inputs.unchanged").length >= 3,
    { timeoutMs: 20_000, message: "three rescans" },
  );
  assert.equal(reloader.count("inputs.map-empty"), 0, tailLogs(reloader.logs));
  assert.equal(await mapEmptyGauge(url), "0");
  assert.deepEqual((await readStatusJson<Health>(url, "/healthz")).json.warnings, []);
});
