// reportEmptyMap, check by check (no timer: interval 0, each check called by the test) on real files: an
// empty map beside a backends file declaring stack backends is logged once it was so at two checks in a
// row, once only, and cleared when the map is written or the backends go; an empty map beside a
// header-only backends file or TCP backends only (what a correct generate-maps writes then), or one
// written before the second check (the write order puts new backends before the map), logs nothing.
import assert from "node:assert/strict";
import fsPromises, { mkdtemp, rm, writeFile } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderBackends, renderDomainMap, type SharedBackend } from "@rancher-haproxy/core";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { declaredStackBackends, reportEmptyMap } from "../src/watch/report-empty-map.ts";
import { captureLog } from "./helpers/capture-log.ts";

const server = { name: "web-1", address: "127.0.0.63", port: 8080 };
const SHOP: SharedBackend = { name: "shop", servers: [server] };
const API: SharedBackend = { name: "shop.api", servers: [server] };
const TCP: SharedBackend = { name: "tcp_5432", mode: "tcp", servers: [server] };

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), "rh-empty-map-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const map = join(dir, "domain.map");
  const backends = join(dir, "haproxy-backends.cfg");
  const status = new ReloaderStatus();
  const log = captureLog();
  let clock = 2_000_000;
  const report = () => reportEmptyMap(map, backends, status, log.logger, 0, () => clock);
  const events = () => log.events().map((line) => line["event"]);
  const write = (blocks: SharedBackend[], hosts: Record<string, string> = {}) =>
    Promise.all([
      writeFile(backends, renderBackends({ backends: blocks })),
      writeFile(
        map,
        renderDomainMap({ hosts: Object.entries(hosts).map(([fqdn, b]) => ({ fqdn, backend: b })) }),
      ),
    ]);
  return { map, backends, status, log, report, events, write, tick: (ms: number) => (clock += ms) };
}

test("stack backends beside an empty map at two checks: one warning, one line when written, each once", async (t) => {
  const { map, backends, status, log, report, events, write, tick } = await setup(t);
  await write([SHOP, API, TCP]);
  const empty = report();
  await empty.check();
  assert.deepEqual(events(), [], "not at the first check");
  tick(10_000);
  await empty.check();
  const [warning] = log.events();
  assert.deepEqual(
    [warning?.["event"], warning?.["level"], warning?.["path"], warning?.["backends"]],
    ["inputs.map-empty", 40, map, backends],
  );
  assert.deepEqual([warning?.["backendCount"], warning?.["seconds"]], [2, 10], "tcp_5432 is not counted");
  assert.match(String(warning?.["msg"]), /shop first.*HAPROXY_DOMAIN_MAP.*write-failed/);
  assert.deepEqual(status.snapshot().mapEmpty, { since: 2_000_000, path: map, backendCount: 2 });
  await empty.check();
  await empty.check();
  assert.deepEqual(events(), ["inputs.map-empty"], "once, not at every check");

  await write([SHOP, API, TCP], { "shop.dev.tld": "shop", "shop.dev.tld/api": "shop.api" });
  await empty.check();
  assert.deepEqual(events(), ["inputs.map-empty", "inputs.map-empty-cleared"]);
  assert.deepEqual([log.events()[1]?.["level"], log.events()[1]?.["path"]], [30, map]);
  assert.equal(status.snapshot().mapEmpty, null);

  // Emptied again, then the stacks go and only the TCP service stays: cleared (nothing to route).
  await write([SHOP]);
  await empty.check();
  await empty.check();
  assert.deepEqual(events().slice(2), ["inputs.map-empty"]);
  await write([TCP]);
  await empty.check();
  assert.deepEqual(events().slice(2), ["inputs.map-empty", "inputs.map-empty-cleared"]);
  assert.equal(status.snapshot().mapEmpty, null);
  empty.close();
});

test("what a correct generate-maps writes with an empty map, or a map written before the second check: nothing", async (t) => {
  const { status, report, events, write, tick } = await setup(t);
  for (const blocks of [[], [TCP]]) {
    await write(blocks);
    const quiet = report();
    for (let i = 0; i < 3; i++) {
      await quiet.check();
      tick(10_000);
    }
    quiet.close();
  }
  // The write order of an addition: the backends first, the map a moment later.
  await write([SHOP]);
  const normal = report();
  await normal.check();
  await write([SHOP], { "shop.dev.tld": "shop" });
  tick(10_000);
  await normal.check();
  await normal.check();
  normal.close();
  assert.deepEqual(events(), []);
  assert.equal(status.snapshot().mapEmpty, null);
});

test("a map or backends file missing or not a file reports nothing; backend names are read as declared", async (t) => {
  const { map, backends, report, events, tick } = await setup(t);
  const missing = report();
  await missing.check();
  tick(10_000);
  await missing.check();
  missing.close();
  await writeFile(map, "");
  const noBackends = report();
  await noBackends.check();
  tick(10_000);
  await noBackends.check();
  noBackends.close();
  assert.deepEqual(events(), [], backends);
  assert.deepEqual(
    declaredStackBackends(
      "# header\nbackend shop\n  mode http\nbackend tcp_80\n  mode tcp\n\tbackend  a.b \n",
    ),
    ["shop", "a.b"],
  );
});

// A read of the backends file that failed for a moment (EMFILE: the reloader has run out of descriptors
// before, see core's status-server-limits.test.ts) was kept for the file's identity, so the report stayed
// silent until generate-maps wrote the file again, which it does only when metadata changes (review of
// 2026-12-06).
test("a read of the backends file that fails with EMFILE is tried again at the next check", async (t) => {
  const { backends, status, report, events, write, tick } = await setup(t);
  await write([SHOP]);
  const real = fsPromises.open;
  let refused = 0;
  t.mock.method(fsPromises, "open", (...args: Parameters<typeof real>) => {
    if (args[0] !== backends || refused > 0) return real(...args);
    refused += 1;
    return Promise.reject(Object.assign(new Error("EMFILE: too many open files"), { code: "EMFILE" }));
  });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
  const empty = report();
  t.after(() => empty.close());
  await empty.check(); // the start's: the backends file's open refused
  assert.equal(refused, 1);
  tick(10_000);
  await empty.check();
  tick(10_000);
  await empty.check();
  assert.deepEqual(events(), ["inputs.map-empty"]);
  assert.equal(status.snapshot().mapEmpty?.backendCount, 1);
});
