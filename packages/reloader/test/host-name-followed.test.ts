// The snapshot store reads the host name (HAPROXY_LOCALPEER) again before each validation of a change, as
// HAProxy reads it again before each `haproxy -c` and reload (host-name-section-clash.test.ts runs it
// end to end): the --config's sections are read again only when the host name changed, a failed read
// keeps the last name known and is logged once, and the `hard-stop-after` under a `.if` on the host name
// follows it too. Until 2026-12-05 the host name was read once at start. In-process, with the store's own
// validation, the report staging makes, and a scripted host name (HAProxy runs only the last test's checks).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import type { HostNameRead } from "../src/sources/read-host-name.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import { captureLog } from "./helpers/capture-log.ts";

// The environment HAProxy inherits, counting the variables looked up: each reading of the base config
// looks `RH_TEST_OTHER` up, so the count tells how often it was read for its sections.
class CountingEnvironment extends Map<string, string> {
  lookups = 0;
  override get(name: string): string | undefined {
    this.lookups += 1;
    return super.get(name);
  }
}

const BASE = Buffer.from(
  [
    "global",
    '.if streq("$HAPROXY_LOCALPEER",shop)',
    "    hard-stop-after 7s",
    ".endif",
    "defaults",
    "    mode http",
    "frontend mine",
    "    bind 127.0.0.1:8080",
    'listen "$HAPROXY_LOCALPEER"',
    'backend "${RH_TEST_OTHER}_x"',
    "",
  ].join("\n"),
);

const INPUTS = {
  base: BASE,
  backends: Buffer.from(
    renderTestBackends([
      { name: "app", servers: [{ address: "127.0.0.1:8081" }] },
      { name: "legacy", servers: [{ address: "127.0.0.1:8082" }] },
      { name: "shop", servers: [{ address: "127.0.0.1:8083" }] },
    ]),
  ),
  map: Buffer.from(
    renderTestMap({ "app.dev.tld": "app", "legacy.dev.tld": "legacy", "shop.dev.tld": "shop" }),
  ),
  hash: "inputs",
};

test("each validation takes the host name read then; a failed read keeps the last one, logged once", () => {
  const { logger, events } = captureLog();
  const environment = new CountingEnvironment([["RH_TEST_OTHER", "mine"]]);
  const reads: HostNameRead[] = [];
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger, 10, {
    environment,
    self: { build: null, hostname: "legacy" },
    hostName: () => reads.shift() ?? assert.fail("no host name scripted"),
  });
  const routed = () => {
    const validated = store.validate(INPUTS);
    assert.ok(validated.ok, validated.ok ? "" : validated.reason);
    // Taken as staging takes it: the clash report is made then (reportClashes).
    store.reportClashes(validated.table);
    return validated.table.backends.map((backend) => backend.name);
  };
  const logged = (event: string) => events().filter((entry) => entry["event"] === event);

  reads.push({ ok: true, name: "legacy" });
  assert.deepEqual(routed(), ["app", "shop"]);
  assert.equal(store.hardStopAfter(BASE), null);
  const once = environment.lookups;
  assert.ok(once > 0);

  // The same host name: the base config is not read again.
  reads.push({ ok: true, name: "legacy" });
  assert.deepEqual(routed(), ["app", "shop"]);
  assert.equal(store.hardStopAfter(BASE), null);
  assert.equal(environment.lookups, once);
  assert.deepEqual(logged("haproxy.host-name-changed"), []);

  // Renamed shop: read again with it (the sections, and the hard-stop-after under its `.if`).
  reads.push({ ok: true, name: "shop" });
  assert.deepEqual(routed(), ["app", "legacy"]);
  assert.equal(store.hardStopAfter(BASE), "7s");
  assert.ok(environment.lookups > once);
  const changed = logged("haproxy.host-name-changed");
  assert.deepEqual(
    changed.map((entry) => [entry["from"], entry["to"]]),
    [["legacy", "shop"]],
  );
  assert.deepEqual(
    logged("inputs.section-clash").map((entry) => entry["backends"]),
    [
      [{ backend: "legacy", section: "listen legacy", line: 9 }],
      [{ backend: "shop", section: "listen shop", line: 9 }],
    ],
  );

  // Two failed reads: the last name known (shop) stays, said once.
  const afterShop = environment.lookups;
  reads.push({ ok: false, reason: "EIO" }, { ok: false, reason: "EIO" });
  assert.deepEqual(routed(), ["app", "legacy"]);
  assert.deepEqual(routed(), ["app", "legacy"]);
  assert.equal(store.hardStopAfter(BASE), "7s");
  assert.equal(environment.lookups, afterShop);
  const unread = logged("haproxy.host-name-unread");
  assert.deepEqual(
    unread.map((entry) => [entry["level"], entry["reason"], entry["kept"]]),
    [[40, "EIO", "shop"]],
  );

  // Read again, back to legacy; a later failure is a new one, said again.
  reads.push({ ok: true, name: "legacy" }, { ok: false, reason: "EIO" });
  assert.deepEqual(routed(), ["app", "shop"]);
  assert.deepEqual(routed(), ["app", "shop"]);
  assert.equal(store.hardStopAfter(BASE), null);
  assert.equal(logged("haproxy.host-name-unread").length, 2);
  assert.equal(logged("haproxy.host-name-changed").length, 2);

  // A read that succeeds at a rescan (hostNameMoved: the same name, nothing to stage) ends that failure
  // too: the next one is said again. Until 2026-12-05 only a validation's read did, so a failure at one
  // change, hours of rescans reading the name, then a failure at the next change was logged once.
  reads.push({ ok: true, name: "legacy" }, { ok: false, reason: "EIO" });
  assert.equal(store.hostNameMoved(), false);
  assert.deepEqual(routed(), ["app", "shop"]);
  assert.equal(logged("haproxy.host-name-unread").length, 3);
  assert.equal(logged("haproxy.host-name-changed").length, 2);
});

// Without `hostName` (a start without --config) the host name is never read: `self`'s stays.
test("a store not given hostName keeps the start's host name", () => {
  const { logger } = captureLog();
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger, 10, {
    environment: new Map(),
    self: { build: null, hostname: "shop" },
  });
  const validated = store.validate(INPUTS);
  assert.ok(validated.ok);
  assert.deepEqual(
    validated.table.backends.map((backend) => backend.name),
    ["app", "legacy"],
  );
});

// A store opened in a temporary dir (`prefix`, removed when the test ends) checking with HAProxy, the
// base config's `listen "$HAPROXY_LOCALPEER"` resolved with the host names pushed to `reads` (one a read;
// the start's is legacy), and `current` the generation it points at when given: the rescan's baseline
// tests. `moved(read)` reads `read` (null: a failed read) and asks currentHostNameMoved.
async function scriptedStore(
  t: { after: (fn: () => unknown) => void },
  prefix: string,
  currentGeneration?: () => number | null,
) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "state"));
  const { logger, events } = captureLog();
  const reads: HostNameRead[] = [];
  const store = new SnapshotStore("/usr/sbin/haproxy", stateLayout(join(dir, "state")), logger, 10, {
    environment: new Map([["RH_TEST_OTHER", "mine"]]),
    self: { build: null, hostname: "legacy" },
    hostName: () => reads.shift() ?? assert.fail("no host name scripted"),
    ...(currentGeneration === undefined ? {} : { currentGeneration }),
  });
  await store.open();
  const moved = (read: string | null) => (
    reads.push(read === null ? { ok: false, reason: "EIO" } : { ok: true, name: read }),
    store.currentHostNameMoved()
  );
  return { store, reads, events, moved };
}

// The rescan asks whether `current` was checked with another host name than HAProxy would take now
// (currentHostNameMoved): the name the last snapshot staged and not refused by `haproxy -c` was validated
// with, not the last validation's. Until 2026-12-06 it was the last validation's, so inputs validated with
// the new name that never ran (here refused by haproxy -c) hid the rename: the inputs `current` runs,
// back on disk, were never staged again, and a restart of HAProxy loaded the snapshot checked with the old
// name (host-name-section-clash.test.ts runs it end to end). A failed read is no move, as everywhere.
test("the rescan compares the host name with the one of the last snapshot staged, not of the last validation", async (t) => {
  const { store, reads, events, moved } = await scriptedStore(t, "rh-host-name-staged-");
  const name = (read: string): HostNameRead => ({ ok: true, name: read });
  const sinceValidation = (read: string) => (reads.push(name(read)), store.hostNameMoved());

  reads.push(name("legacy"));
  const first = await store.stageAndCheck(INPUTS);
  assert.ok(first.ok, first.ok ? "" : first.reason);
  assert.equal(moved("legacy"), false);
  assert.equal(moved("shop"), true);
  assert.equal(moved(null), false);

  // Other inputs validated with the new name and refused by haproxy -c: current still holds the first.
  const refused = { ...INPUTS, base: Buffer.concat([BASE, Buffer.from("global\n    rh-no-such-keyword\n")]) };
  reads.push(name("shop"));
  const second = await store.stageAndCheck({ ...refused, hash: "refused" });
  assert.ok(!second.ok && second.generation !== null, JSON.stringify(second));
  assert.equal(events().filter((entry) => entry["event"] === "check.failed").length, 1);
  assert.equal(sinceValidation("shop"), false);
  assert.equal(moved("shop"), true, "current was checked with legacy");

  // Staged again with the new name and passed: nothing moved any more.
  reads.push(name("shop"));
  const third = await store.stageAndCheck(INPUTS);
  assert.ok(third.ok, third.ok ? "" : third.reason);
  assert.equal(moved("shop"), false);
  assert.equal(moved("legacy"), true);
});

// `current` pointed back (HAProxy refused the reload onto a snapshot staged with the new name, at once or
// late): the name compared with is the one the snapshot `current` points at was validated with, not the
// last staged one's. Until 2026-12-06 it was the latter, so a restart of HAProxy (or a certificates'
// reload) then loaded the snapshot checked with the old name without staging the inputs first.
test("the rescan compares the host name with the one of the snapshot current points at, pointed back too", async (t) => {
  let current: number | null = null;
  const { store, reads, moved } = await scriptedStore(t, "rh-host-name-current-", () => current);

  // Staged with legacy, and `current` pointed at it.
  reads.push({ ok: true, name: "legacy" });
  const first = await store.stageAndCheck(INPUTS);
  assert.ok(first.ok, first.ok ? "" : first.reason);
  current = first.generation;
  assert.equal(moved("legacy"), false);

  // Renamed shop: staged again with it and passed, then the reload onto it refused (`current` back).
  reads.push({ ok: true, name: "shop" });
  const second = await store.stageAndCheck(INPUTS);
  assert.ok(second.ok, second.ok ? "" : second.reason);
  assert.equal(moved("shop"), true, "current points at the snapshot checked with legacy");
  assert.equal(moved("legacy"), false);

  // `current` at the snapshot staged with shop: nothing moved.
  current = second.generation;
  assert.equal(moved("shop"), false);
  // A generation this run did not stage (an earlier run's, checked when the start took it): the start's.
  current = 1000;
  assert.equal(moved("shop"), true);
  assert.equal(moved("legacy"), false);
});

// Every reload HAProxy refuses points `current` back at the same snapshot, however many are staged after
// it: its host name is kept beside the newest 32 the store remembers. Until 2026-12-06 the 33rd staged
// since forgot it, and the start's name was compared with instead (here: a snapshot checked with shop,
// the host renamed back to legacy, the start's name, taken as "not moved").
test("the snapshot current points at keeps its host name however many are staged after it", async (t) => {
  let current: number | null = null;
  const { store, reads, moved } = await scriptedStore(t, "rh-host-name-kept-", () => current);
  // Validated with `read` and staged (as a runtime change stages, without haproxy -c).
  const staged = async (read: string) => {
    reads.push({ ok: true, name: read });
    const validated = store.validate(INPUTS);
    assert.ok(validated.ok);
    return store.stage(INPUTS, validated.table, store.reloadSlots(validated.table));
  };

  current = await staged("shop");
  assert.equal(moved("legacy"), true);
  // Renamed back to legacy; 40 snapshots staged with it, each reload refused (`current` stays).
  for (let i = 0; i < 40; i += 1) await staged("legacy");
  assert.equal(moved("legacy"), true, "current was checked with shop");
  assert.equal(moved("shop"), false);
});
