// The slot cap refuses inputs twice: validate on the fewest slots their table needs (14bd801), and the
// staging (SnapshotStore.stageChecked → boundedSlots) when the assignment kept from before and one made
// afresh are both over MAX_TOTAL_SLOTS. A fresh assignment can pass the first and not the second: a
// backend with some free slots but fewer than its option sets gets a block more (assign-slots.ts). Until
// 2026-12-05 the section clash was reported at validate, before the staging refused such inputs: inputs
// without the clashing stack logged inputs.section-clash-cleared and emptied /healthz's warning (and
// reloader_backends_refused) while the routing that runs still left the stack out. Now the report is made
// when the table is staged; the start's path (stageAndCheck) and a reload's (planChange → stageChecked)
// are both pinned here, with the real store and haproxy -c for the inputs that pass.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, type TestBackend } from "../../test-support/src/haproxy/index.ts";
import type { RefusedBackend } from "../src/model/without-clashing-backends.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { planChange } from "../src/reload/plan-change.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { clashReportStore } from "./helpers/clash-report-store.ts";
import { QUIET_BASE_LINES } from "./helpers/quiet-base-lines.ts";
import { storePlanOptions } from "./helpers/store-plan-options.ts";

/** SERVER_SLOTS' highest value: 1 000 one-server backends are MAX_TOTAL_SLOTS, the least they need */
const BLOCK = 1000;

const BASE = Buffer.from(
  [...QUIET_BASE_LINES, "frontend mine", "    bind 127.0.0.1:8080", "backend legacy", ""].join("\n"),
);

// The input files of `backends` on BASE, each routed from `<name>.dev.tld`.
function inputs(backends: TestBackend[], hash: string) {
  return {
    base: BASE,
    backends: Buffer.from(renderTestBackends(backends)),
    map: Buffer.from(renderTestMap(Object.fromEntries(backends.map((b) => [`${b.name}.dev.tld`, b.name])))),
    hash,
  };
}

const one = (name: string): TestBackend => ({ name, servers: [{ address: "127.0.0.1:8081" }] });

// 1 000 backends needing 1 000 000 slots at least (validate passes them), but a fresh assignment gives
// `big` (999 servers, one of them send-proxy-v2: two option sets, one free slot) a second block: 1 001 000.
const OVER_AT_STAGING = inputs(
  [
    {
      name: "big",
      servers: Array.from({ length: 999 }, (_, i) => ({
        address: `127.0.0.1:${9000 + (i % 2)}`,
        ...(i === 0 ? { sendProxy: "send-proxy-v2" as const } : {}),
      })),
    },
    ...Array.from({ length: 999 }, (_, i) => one(`b${i}`)),
  ],
  "over",
);

test("inputs the slot cap refuses at staging leave the section-clash report as the inputs that run made it", async (t) => {
  const { store, logger, shown, said } = await clashReportStore(t, "rh-clash-staging-cap-", BLOCK);

  // The stack legacy is left out of what runs.
  const first = await store.stageAndCheck(inputs([one("app"), one("legacy")], "first"));
  assert.ok(first.ok, JSON.stringify(first));
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash"]]);

  // The start's path: validated, then refused by the staging's cap; nothing staged, the report stays.
  const start = await store.stageAndCheck(OVER_AT_STAGING);
  assert.ok(!start.ok && start.generation === null, JSON.stringify(start));
  assert.match(start.reason, /1001000 server slots/);
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash", "inputs.rejected"]]);

  // A reload's path in the applier: validated, planned, refused by the staging's cap; the same.
  const validated = store.validate(OVER_AT_STAGING);
  assert.ok(validated.ok, "validate's cap (the fewest slots) passes them");
  const options = storePlanOptions(logger, store, BLOCK);
  const accepted = {
    files: OVER_AT_STAGING,
    table: validated.table,
    started: performance.now(),
    since: null,
  };
  const planned = await planChange(accepted, null, options);
  assert.ok(
    planned.kind === "refused" && /1001000 server slots/.test(planned.reason),
    JSON.stringify(planned),
  );
  assert.deepEqual(
    [shown, said()],
    [[["legacy"]], ["inputs.section-clash", "inputs.rejected", "inputs.rejected"]],
  );

  // Inputs without legacy that run end the report.
  const last = await store.stageAndCheck(inputs([one("app")], "last"));
  assert.ok(last.ok, JSON.stringify(last));
  assert.deepEqual(
    [shown, said()],
    [
      [["legacy"], []],
      ["inputs.section-clash", "inputs.rejected", "inputs.rejected", "inputs.section-clash-cleared"],
    ],
  );
});

// A reload that waits for a silent master or is held for old workers stages nothing, so the staging does
// not report its read; planChange does, as validate did before the report moved to the staging (the
// documented report: the inputs last read that passed the contract).
test("a reload that waits or is held reports what its read left out, though nothing is staged", async () => {
  const { logger, events } = captureLog();
  const shown: string[][] = [];
  const store = new SnapshotStore("haproxy", stateLayout("/nonexistent/state"), logger, 10, {
    onRefused: (refused: readonly RefusedBackend[]) => shown.push(refused.map((entry) => entry.backend)),
  });
  const said = () =>
    events()
      .map((entry) => String(entry["event"]))
      .filter((event) => event.startsWith("inputs.section-clash"));
  const plan = async (files: ReturnType<typeof inputs>, supervisor: object) => {
    const validated = store.validate(files);
    assert.ok(validated.ok);
    const options = storePlanOptions(logger, store, 10, supervisor);
    const accepted = { files, table: validated.table, started: performance.now(), since: null };
    return (await planChange(accepted, null, options)).kind;
  };

  const silent = { isSettled: () => false, settled: async () => false, waitingReason: () => "silent" };
  assert.equal(await plan(inputs([one("app"), one("legacy")], "legacy"), silent), "waiting");
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash"]]);

  const full = {
    isSettled: () => true,
    settled: async () => true,
    oldWorkersSeen: () => MAX_OLD_WORKERS,
    oldWorkers: async () => MAX_OLD_WORKERS,
  };
  assert.equal(await plan(inputs([one("app")], "app"), full), "held");
  assert.deepEqual(
    [shown, said()],
    [
      [["legacy"], []],
      ["inputs.section-clash", "inputs.section-clash-cleared"],
    ],
  );
});

// A reload held for old workers (or waiting for a silent master) of inputs the staging's cap refuses once
// the hold ends: until 2026-12-05 the held and the waiting pass reported their read (here
// inputs.section-clash-cleared and an empty /healthz warning), though the staging then refused them and
// the routing that runs still left the stack out. Now planChange asks the staging's cap, unlogged, first.
test("a held or waiting reload of inputs the staging's cap will refuse leaves the section-clash report alone", async (t) => {
  const { store, logger, shown, said } = await clashReportStore(t, "rh-clash-held-cap-", BLOCK);
  const first = await store.stageAndCheck(inputs([one("app"), one("legacy")], "first"));
  assert.ok(first.ok, JSON.stringify(first));
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash"]]);

  const validated = store.validate(OVER_AT_STAGING);
  assert.ok(validated.ok, "validate's cap (the fewest slots) passes them");
  const accepted = {
    files: OVER_AT_STAGING,
    table: validated.table,
    started: performance.now(),
    since: null,
  };
  const plan = async (supervisor: object) => {
    return planChange(accepted, null, storePlanOptions(logger, store, BLOCK, supervisor));
  };

  const silent = { isSettled: () => false, settled: async () => false, waitingReason: () => "silent" };
  assert.equal((await plan(silent)).kind, "waiting");
  const full = {
    isSettled: () => true,
    settled: async () => true,
    oldWorkersSeen: () => MAX_OLD_WORKERS,
    oldWorkers: async () => MAX_OLD_WORKERS,
  };
  assert.equal((await plan(full)).kind, "held");
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash"]]);

  // The hold ends: the staging refuses them, and the report still describes what runs.
  const ended = await plan({ isSettled: () => true, settled: async () => true, oldWorkersSeen: () => null });
  assert.ok(ended.kind === "refused" && /1001000 server slots/.test(ended.reason), JSON.stringify(ended));
  assert.deepEqual([shown, said()], [[["legacy"]], ["inputs.section-clash", "inputs.rejected"]]);

  // Held inputs the cap takes are reported as before.
  const fits = inputs([one("app")], "fits");
  const taken = store.validate(fits);
  assert.ok(taken.ok);
  const held = await planChange(
    { files: fits, table: taken.table, started: performance.now(), since: null },
    null,
    storePlanOptions(logger, store, BLOCK, full),
  );
  assert.equal(held.kind, "held");
  assert.deepEqual(
    [shown, said()],
    [
      [["legacy"], []],
      ["inputs.section-clash", "inputs.rejected", "inputs.section-clash-cleared"],
    ],
  );
});
