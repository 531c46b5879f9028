// Runtime steps that failed partway leave the worker running part of them (HAProxy runs every command of
// a line) until a worker is confirmed again; when the fallback reload does not go live (refused, timed
// out), /healthz says so instead of "HAProxy keeps running gen-<n>", and never "ok" (found by a review).
import assert from "node:assert/strict";
import { test } from "node:test";
import { reportRuntime } from "../src/reload/report-runtime.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { judgeReloaderHealth } from "../src/status/judge-reloader-health.ts";
import type { AppliedState } from "../src/status/read-applied-state.ts";
import { captureLog } from "./helpers/capture-log.ts";

test("after runtime steps failed and no reload replaced the worker, /healthz names the partial steps", () => {
  const { logger } = captureLog();
  const status = new ReloaderStatus();
  status.haproxyStarted(100);
  status.currentIs(4);
  status.workerConfirmed(101, 3);
  const context = {
    generation: 5,
    inputsHash: "h5",
    started: 0,
    since: null,
    logger,
    status,
  };
  reportRuntime({ ok: false, readback: false, reason: "set map: entry not found" }, context, 1000);
  // The fallback reload was refused: `current` is back on gen-4, and the change waits for its retry.
  status.retryScheduled(1, 11_000, "the reload of gen-5 failed: [failed: 1]");
  const pending: AppliedState = { generation: 4, applied: false, hash: "h5", changedAt: 1000, problem: null };
  const waiting = judgeReloaderHealth(status.snapshot(), pending, 10_000, 5000);
  assert.equal(waiting.healthy, false);
  assert.match(
    waiting.body.reason,
    /keeps running gen-4 with part of the runtime steps toward gen-5, retry 1/,
  );
  // The files on disk back at gen-4's bytes: still not "ok" while the worker may run part of the steps.
  const back: AppliedState = { ...pending, applied: true, hash: "h4" };
  assert.notEqual(judgeReloaderHealth(status.snapshot(), back, 10_000, 5000).body.status, "ok");
  // A worker confirmed again (the retry's reload, a revert, a restart) loaded its files whole.
  status.workerConfirmed(102, 4);
  assert.equal(status.snapshot().partialStepsToward, null);
  assert.equal(judgeReloaderHealth(status.snapshot(), back, 10_000, 5000).body.status, "ok");
});
