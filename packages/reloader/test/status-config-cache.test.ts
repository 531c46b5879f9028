// /config reads the running snapshot once per generation: concurrent requests share one read, later ones
// reuse it, and a new running generation (or HAProxy down: the `current` one) is read again; a snapshot
// gone is not kept. The answers are the bytes an uncached read renders.
import assert from "node:assert/strict";
import fsp, { mkdtemp, rm } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mock, test } from "node:test";
import {
  createLogger,
  jsonResponse,
  textResponse,
  withBytes,
  type StatusRoutes,
} from "@rancher-haproxy/core";
import { Registry } from "prom-client";
import { readStatus } from "../../test-support/src/status/index.ts";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { stateLayout, type StateLayout } from "../src/output/snapshot-layout.ts";
import { pointCurrent, stageSnapshot } from "../src/output/stage-snapshot.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import {
  readSnapshotConfig,
  readRunningConfig,
  renderRunningConfig,
} from "../src/status/read-running-config.ts";
import { reloaderRoutes } from "../src/status/reloader-routes.ts";
import { createRunningConfigCache, type ReadSnapshotConfig } from "../src/status/running-config-cache.ts";
import { startReloaderStatus } from "../src/status/start-reloader-status.ts";

const BASE = "global\n  maxconn 100\nuserlist rh_stats_users\n  user ops insecure-password s3cret-Pw9\n";
const BACKENDS = "backend app\n  server s1 127.0.0.1:8080\n  server s2 127.0.0.1:8080 disabled\n";
const SLOTS = JSON.stringify({ app: [{ server: "app-1" }, { server: null }] });

// A state dir; gen-<n> staged with `map` and `current` pointed at it.
async function makeState(after: (fn: () => Promise<void>) => void) {
  const dir = await mkdtemp(join(tmpdir(), "rh-config-cache-"));
  after(() => rm(dir, { recursive: true, force: true }));
  const layout = stateLayout(join(dir, "state"));
  const stage = async (generation: number, map: string) => {
    const inputs = { backends: Buffer.from(BACKENDS), map: Buffer.from(map) };
    const content = {
      base: Buffer.from(BASE),
      backends: BACKENDS,
      map,
      pathHosts: "",
      slotsJson: SLOTS,
      inputs,
    };
    await stageSnapshot(layout, generation, content);
    await pointCurrent(layout, generation);
  };
  await stage(1, "app.dev.tld app\n");
  return { dir, layout, stage };
}

// What an uncached /config answers for `running`, per query.
async function uncached(layout: StateLayout, running: number | null) {
  const config = await readRunningConfig(layout, running);
  assert.ok(config);
  // The kept answers are encoded once (withBytes): the same bytes for every request.
  const text = withBytes(textResponse(renderRunningConfig(config)));
  return {
    text,
    json: withBytes(jsonResponse(config)),
    map: withBytes(textResponse(config.files["domain.map"])),
  };
}

test("through the listener: 8 concurrent /config read the snapshot once, later ones not at all", async (t) => {
  const { dir, layout, stage } = await makeState((fn) => t.after(fn));
  // Every readFile of a snapshot's domain.map, by the running code (old or new wiring alike).
  const reads: string[] = [];
  const real = fsp.readFile;
  mock.method(fsp, "readFile", (...args: Parameters<typeof real>) => {
    if (/\/gen-\d+\/domain\.map$/.test(String(args[0]))) reads.push(String(args[0]));
    return real(...args);
  });
  syncBuiltinESMExports();
  t.after(() => {
    mock.restoreAll();
    syncBuiltinESMExports();
  });
  const status = new ReloaderStatus();
  status.runtimeApplied(1, null);
  const options = resolveOptions({}, { STATUS_PORT: "0", STATUS_BIND: "127.0.0.1" });
  const inputs = { base: join(dir, "haproxy.cfg"), backends: join(dir, "b.cfg"), map: join(dir, "d.map") };
  const logger = createLogger({ name: "test", level: "silent", format: "json" });
  const server = await startReloaderStatus({ options, status, layout, inputs, logger });
  assert.ok(server);
  t.after(() => server.close());

  const expected = await uncached(layout, 1);
  reads.length = 0;
  const answers = await Promise.all(Array.from({ length: 8 }, () => readStatus(server.url, "/config")));
  for (const answer of answers) assert.equal(answer.body, expected.text.body);
  assert.equal(reads.length, 1, `8 concurrent requests read gen-1 once: ${reads.join(", ")}`);
  assert.equal((await readStatus(server.url, "/config?format=json")).body, expected.json.body);
  assert.equal((await readStatus(server.url, "/config?file=domain.map")).body, expected.map.body);
  assert.equal(reads.length, 1, "later requests for gen-1 read nothing");

  await stage(2, "app.dev.tld app\nblog.dev.tld app\n");
  status.runtimeApplied(2, null);
  const next = await uncached(layout, 2);
  reads.length = 0;
  const after = await Promise.all(Array.from({ length: 8 }, () => readStatus(server.url, "/config")));
  for (const answer of after) assert.equal(answer.body, next.text.body);
  assert.match(next.text.body, /blog\.dev\.tld/);
  assert.equal(reads.length, 1, "the new running generation is read once");
});

test("an adopted HAProxy whose config is not confirmed yet is not shown as down; `current` is, named as such", async (t) => {
  const { layout } = await makeState((fn) => t.after(fn));
  const status = new ReloaderStatus();
  status.currentIs(1);
  // A reloader started again adopts the master still serving: what it runs is known only once its
  // reload goes live (a refused one leaves it so until the next change), and /healthz says it runs.
  status.haproxyStarted(100);
  status.workerConfirmed(101, 3, "unknown");
  const { get } = countedRoutes(layout, status);
  const adopted = (await get()).body;
  assert.doesNotMatch(adopted, /HAProxy is not running/);
  assert.match(adopted, /^# HAProxy runs a config not confirmed yet .*; current: gen-1 \(/);
  assert.equal(
    JSON.parse((await get("format=json")).body).running,
    false,
    "no snapshot is confirmed running",
  );
  // Down: the files it will start from, said so.
  status.haproxyStarted(null);
  assert.match((await get()).body, /^# HAProxy is not running; it starts from: gen-1 \(/);
});

// The routes over a cache whose reader counts its calls by generation and running state.
function countedRoutes(layout: StateLayout, status: ReloaderStatus) {
  const calls: string[] = [];
  const read: ReadSnapshotConfig = (at, generation, running) => {
    calls.push(`${running ? "running" : "current"} ${generation}`);
    return readSnapshotConfig(at, generation, running);
  };
  const runningConfig = createRunningConfigCache({ layout, read });
  const applied = () => Promise.reject(new Error("not asked"));
  const routes = reloaderRoutes({
    status,
    registry: new Registry(),
    runningConfig,
    applied,
    graceMs: 0,
    now: Date.now,
  });
  const get = async (query = "") => {
    const handler = (routes as StatusRoutes)["/config"];
    assert.ok(handler);
    return handler({ path: "/config", query: new URLSearchParams(query) });
  };
  return { calls, get };
}

test("HAProxy down shows `current` (read once), a pruned snapshot is read again, answers stay exact", async (t) => {
  const { layout, stage } = await makeState((fn) => t.after(fn));
  const status = new ReloaderStatus();
  const { calls, get } = countedRoutes(layout, status);

  // Nothing runs: `current` (gen-1), read once for 16 requests, the header says HAProxy is down.
  const down = await uncached(layout, null);
  for (const answer of await Promise.all(Array.from({ length: 16 }, () => get())))
    assert.deepEqual(answer, down.text);
  assert.match(down.text.body, /^# HAProxy is not running; it starts from: gen-1 /);
  assert.deepEqual(await get("format=json"), down.json);
  const [file, again] = await Promise.all([get("file=domain.map"), get("file=domain.map")]);
  assert.deepEqual(file, down.map);
  // One encoding of the file shared by every request (each its own copy: 512 pipelined requests held 512).
  assert.ok(file.encoded && again.encoded, "?file= answers carry their encoded bytes");
  assert.equal(file.encoded.bytes, again.encoded.bytes, "?file= answers share one buffer");
  assert.deepEqual(calls, ["current 1"]);

  // The same generation confirmed running: its answer differs (header, `running`), so it is read again.
  status.currentIs(1);
  status.workerConfirmed(11, 1);
  const up = await uncached(layout, 1);
  assert.deepEqual(await get(), up.text);
  assert.deepEqual(await get("format=json"), up.json);
  assert.deepEqual(calls, ["current 1", "running 1"]);

  // A running generation whose dir is gone: 503, and not kept; once it exists it is read and shown.
  status.runtimeApplied(3, null);
  assert.equal((await get()).status, 503);
  assert.equal((await get()).status, 503);
  await stage(3, "api.dev.tld app\n");
  assert.deepEqual(await get(), (await uncached(layout, 3)).text);
  assert.deepEqual(await get("file=domain.map"), withBytes(textResponse("api.dev.tld app\n")));
  assert.deepEqual(calls, ["current 1", "running 1", "running 3", "running 3", "running 3"]);
});
