// A pass after a reload that was not confirmed in time asks the master before it plans; planChange asks
// again before it stages. When the master answers between the two (its first answer since the timeout)
// and its verdict is "that reload went live", the pass must act on it: for the very inputs of that reload
// the change is live (inputs.live, nothing staged or reloaded), not a second reload for state-unknown
// (which cut every long-lived connection again; reload-timeout.test.ts failed so once in a whole run).
// In-process: the real pass and store, input files on disk, and a supervisor whose master is silent at
// the pass's first ask and answers at the second, as settleLateReload reports a reload that went live.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import type { ApplierOptions } from "../src/reload/applier-options.ts";
import { ApplierPass } from "../src/reload/applier-pass.ts";
import { SnapshotStore } from "../src/reload/snapshot-store.ts";
import { readInputs } from "../src/sources/read-inputs.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { inputFilesDir } from "./helpers/input-files-dir.ts";

const BASE = ["global", "defaults", "    mode http", "frontend mine", "    bind 127.0.0.1:8080", ""].join(
  "\n",
);

test("the master's late verdict taken while the pass plans: the reload that timed out is live, no second reload", async (t) => {
  const { dir, paths } = await inputFilesDir(t, "rh-late-verdict-", {
    base: BASE,
    backends: renderTestBackends([{ name: "app", servers: [{ address: "127.0.0.1:8081" }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const read = await readInputs(paths);
  assert.ok(read.ok);

  const { logger, events } = captureLog();
  const status = new ReloaderStatus();
  const store = new SnapshotStore("haproxy", stateLayout(join(dir, "state")), logger, 10, {
    environment: new Map(),
  });
  // HAProxy runs gen-1 under master 100; gen-2 (these inputs) was sent and not confirmed in time.
  status.haproxyStarted(100);
  status.currentIs(1);
  status.workerConfirmed(101, 0);
  status.currentIs(2);
  let asked = 0;
  let answered = false;
  const supervisor = {
    isSettled: () => answered,
    settled: async () => {
      asked += 1;
      if (asked === 1) return false; // the pass's first ask: still re-executing
      answered = true; // settleLateReload: the reload that timed out went live, worker 102
      status.workerConfirmed(102, 1);
      return true;
    },
    waitingReason: () => (answered ? null : "the master has not answered since a reload timed out"),
    oldWorkersSeen: () => null,
    switchTo: async () => assert.fail("a second reload was sent"),
    exclusive: async () => assert.fail("runtime steps were sent"),
  };
  const options = {
    store,
    inputs: paths,
    logger,
    status,
    supervisor,
    retryMs: 10,
    runtimeUpdates: true,
    slotsPerBlock: 10,
  } as unknown as ApplierOptions;
  const pass = new ApplierPass(options, () => undefined);
  const state = { baseHash: "", table: { backends: [], hosts: [] }, slots: new Map() };
  pass.apply({
    switched: { generation: 2, hash: read.files.hash },
    startState: { generation: 2, state } as never,
  });

  const outcome = await pass.applyOnce(null);
  assert.deepEqual(outcome, { retry: null });
  assert.equal(asked, 2, "the master was asked twice: silent, then answering");
  const names = events().map((event) => event["event"]);
  assert.ok(!names.includes("reload.planned"), names.join(", "));
  const live = events().find((event) => event["event"] === "inputs.live");
  assert.equal(live?.["generation"], 2, names.join(", "));
});
