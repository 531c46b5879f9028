// reportStaleMap, check by check (no timer: interval 0, each check called by the test) on the tables the
// applier hands it: stacks a non-empty map does not reach are logged at the second check in a row, once,
// their count kept current while it lasts; an empty map (report-empty-map.ts's case) and a pair whose
// map reaches every stack log nothing; no table (inputs refused, unsettled) changes nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SharedBackend } from "@rancher-haproxy/core";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { reportStaleMap, type ParsedInputs } from "../src/watch/report-stale-map.ts";
import { captureLog } from "./helpers/capture-log.ts";

const server = { name: "web-1", address: "127.0.0.65", port: 8080 };
const named = (name: string): SharedBackend => ({ name, servers: [server] });

// Inputs as the store hands them: backends by name, map lines as host -> backend, and the map's size.
function inputs(backends: string[], hosts: Record<string, string>): ParsedInputs {
  const lines = Object.entries(hosts).map(([fqdn, backend]) => ({ fqdn, backend }));
  const mapBytes = lines.reduce((bytes, line) => bytes + line.fqdn.length + line.backend.length + 2, 0);
  return { table: { backends: backends.map(named), hosts: lines }, mapBytes };
}

// The report started on `first` (its start checks at once, as the reloader's does).
function setup(first: ParsedInputs | null) {
  const status = new ReloaderStatus();
  const log = captureLog();
  let clock = 3_000_000;
  let latest = first;
  const report = reportStaleMap(
    () => latest,
    "/data/domain.map",
    status,
    log.logger,
    0,
    () => clock,
  );
  return {
    status,
    check: () => report.check(),
    give: (next: ParsedInputs | null) => (latest = next),
    events: () => log.events().map((line) => line["event"]),
    log,
    tick: (ms: number) => (clock += ms),
  };
}

test("stacks a stale map does not reach: logged at the second check, once, counted while it lasts, cleared", async () => {
  const { status, check, give, events, log, tick } = setup(
    inputs(["blog", "shop", "shop.api"], { "blog.dev.tld": "blog" }),
  );
  await check();
  assert.deepEqual(events(), [], "not at the first check");
  tick(10_000);
  await check();
  const [warning] = log.events();
  assert.deepEqual(
    [
      warning?.["event"],
      warning?.["level"],
      warning?.["stackCount"],
      warning?.["stacks"],
      warning?.["seconds"],
    ],
    ["inputs.map-stale", 40, 1, ["shop"], 10],
  );
  assert.deepEqual(status.snapshot().mapStale, {
    since: 3_000_000,
    path: "/data/domain.map",
    stackCount: 1,
    stacks: ["shop"],
  });
  give(inputs(["blog", "shop", "wiki"], { "blog.dev.tld": "blog" }));
  await check();
  assert.deepEqual(events(), ["inputs.map-stale"], "once, not at every check");
  assert.equal(status.snapshot().mapStale?.stackCount, 2, "the count kept current");
  give(null);
  await check();
  assert.equal(status.snapshot().mapStale?.stackCount, 2, "no table: nothing changes");
  give(inputs(["blog", "shop", "wiki"], { "blog.dev.tld": "blog", "shop.dev.tld": "shop", "w.tld": "wiki" }));
  await check();
  assert.deepEqual(events(), ["inputs.map-stale", "inputs.map-stale-cleared"]);
  assert.equal(status.snapshot().mapStale, null);
});

test("an empty map, a map reaching one backend of each stack, or no table: nothing is logged or shown", async () => {
  for (const given of [
    inputs(["shop", "shop.api"], {}),
    inputs(["shop.api", "shop.web", "tcp_5432"], { "shop.dev.tld/api": "shop.api" }),
    null,
  ]) {
    const { status, check, events, tick } = setup(given);
    await check();
    tick(10_000);
    await check();
    assert.deepEqual(events(), []);
    assert.equal(status.snapshot().mapStale, null);
  }
});
