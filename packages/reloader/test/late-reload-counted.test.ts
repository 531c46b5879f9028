// A reload not confirmed in time is counted in reloader_reloads_total once, by its true outcome: when the
// master answers again (settleLateReload), not as `rejected` when it timed out (found by a review: a
// reload that timed out and then went live was counted `rejected`, and never `ok`).
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ProcInfo } from "@rancher-haproxy/core";
import { settleLateReload } from "../src/haproxy/settle-late-reload.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { reportSwitch } from "../src/reload/report-switch.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { captureLog } from "./helpers/capture-log.ts";

const before: ProcInfo = {
  masterPid: 10,
  reloads: 1,
  failed: 0,
  workers: [{ pid: 11, reloads: 0 }],
  oldWorkers: [],
};

// The status after a switch whose reload timed out, then the master's answer `after` settled it.
async function timedOutThen(after: ProcInfo): Promise<ReloaderStatus> {
  const { logger } = captureLog();
  const status = new ReloaderStatus();
  const reason = "not confirmed by show proc within 2000 ms";
  const verdict = { ok: false, kind: "timeout", reason, info: null } as const;
  const now = performance.now();
  const check = { ok: true, durationMs: 1 } as unknown as Parameters<typeof reportSwitch>[1]["check"];
  const context = { generation: 3, inputsHash: "H", started: now, reloadStarted: now, since: null, check };
  const live = reportSwitch({ kind: "reloaded", verdict, kept: 2 }, { ...context, logger, status });
  assert.match(String(live), /not confirmed/, "the change is not live yet: retried");
  const dir = await mkdtemp(join(tmpdir(), "late-reload-"));
  try {
    await settleLateReload({ before, kept: 2 }, after, { layout: stateLayout(dir), status, logger });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return status;
}

test("a timed-out reload that went live is counted once, as applied", async () => {
  const live: ProcInfo = { ...before, reloads: 2, workers: [{ pid: 12, reloads: 0 }], oldWorkers: [] };
  const { reloads, workerPid } = (await timedOutThen(live)).snapshot();
  assert.equal(workerPid, 12);
  assert.deepEqual(reloads, {
    applied: 1,
    "check-failed": 0,
    rejected: 0,
    interrupted: 0,
    deferred: 0,
    unconfirmed: 0,
  });
});

test("a timed-out reload the master then refuses is counted once, as rejected", async () => {
  const refused: ProcInfo = { ...before, reloads: 2, failed: 1 };
  const { reloads } = (await timedOutThen(refused)).snapshot();
  assert.equal(reloads.rejected, 1);
  assert.equal(reloads.applied + reloads.unconfirmed + reloads.interrupted, 0);
});

test("a timed-out reload the master gives no verdict on is counted once, as unconfirmed", async () => {
  const { reloads } = (await timedOutThen(before)).snapshot();
  assert.equal(reloads.unconfirmed, 1);
  assert.equal(reloads.applied + reloads.rejected + reloads.interrupted, 0);
});
