// The reloader's /healthz verdict from a status snapshot and the applied-files comparison: HAProxy down,
// the current files applied, a change inside its apply window, one held for old workers, and one that
// waited too long or was refused; and /config's masking of credentials and key blocks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeReloaderHealth, redactConfig, type AppliedState } from "../src/index.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import type { StatusSnapshot } from "../src/state/status-snapshot.ts";
import { appliedState } from "./helpers/applied-state.ts";

const RUNNING: StatusSnapshot = {
  haproxyPid: 100,
  workerPid: 101,
  masterReloads: 3,
  currentGeneration: 4,
  runningGeneration: 4,
  partialStepsToward: null,
  reloads: { applied: 3, "check-failed": 0, rejected: 0, interrupted: 0, deferred: 0, unconfirmed: 0 },
  restarts: 0,
  lastReloadDurationMs: 50,
  lastChangeToAppliedMs: 120,
  lastError: null,
  retry: null,
  applyRetries: 0,
  refusedInputs: null,
  reloadsByReason: {},
  runtime: { updates: 0, readbackMismatches: 0, lastReadback: null },
  unlistedTcpPorts: [],
  takenTcpPorts: [],
  httpsWithoutListener: [],
  refusedBackends: [],
  inputWatchProblem: null,
  masterCliSilentSince: null,
  backendsEmptySince: null,
  mapEmpty: null,
  mapStale: null,
  reloadHeld: null,
  reloadHolds: { started: 0, active: false },
};
const APPLIED = appliedState({ generation: 4, hash: "h4", changedAt: 1000 });
const GRACE = 5000;

test("ok when HAProxy runs the files on disk; failing whenever HAProxy is down", () => {
  const ok = judgeReloaderHealth(RUNNING, APPLIED, 2000, GRACE);
  assert.deepEqual([ok.healthy, ok.body.status, ok.body.runningGeneration], [true, "ok", 4]);
  assert.deepEqual(ok.body.haproxy, { running: true, pid: 100, workerPid: 101, workerGeneration: 3 });
  const down = judgeReloaderHealth(
    { ...RUNNING, haproxyPid: null, workerPid: null, lastError: "HAProxy killed by SIGKILL" },
    APPLIED,
    2000,
    GRACE,
  );
  assert.deepEqual([down.healthy, down.body.status], [false, "failing"]);
  assert.match(down.body.reason, /HAProxy is not running \(last error: HAProxy killed by SIGKILL\)/);
});

test("a change is applying within the window, failing after it or when an input is missing", () => {
  const pending: AppliedState = { ...APPLIED, applied: false, changedAt: 10_000 };
  const applying = judgeReloaderHealth(RUNNING, pending, 12_000, GRACE);
  assert.deepEqual(
    [applying.healthy, applying.body.status, applying.body.inputsChangedSecondsAgo],
    [true, "applying", 2],
  );
  const late = judgeReloaderHealth(
    { ...RUNNING, lastError: "gen-5 failed haproxy -c" },
    pending,
    15_001,
    GRACE,
  );
  assert.deepEqual([late.healthy, late.body.status, late.body.inputsApplied], [false, "failing", false]);
  assert.match(
    late.body.reason,
    /differ from the ones HAProxy runs; HAProxy keeps running gen-4 \(last error: gen-5/,
  );
  const missing = judgeReloaderHealth(
    RUNNING,
    { ...pending, problem: "/etc/haproxy/domain.map is missing" },
    10_500,
    GRACE,
  );
  assert.equal(missing.healthy, false, "a missing input is not a change in flight");
  assert.match(missing.body.reason, /domain\.map is missing/);
});

test("files the checks refused, or a change waiting for a retry, fail at once instead of applying", () => {
  const pending: AppliedState = { ...APPLIED, applied: false, hash: "h5", changedAt: 10_000 };
  const refusedInputs = { hash: "h5", reason: "gen-5 failed haproxy -c" };
  const refused = judgeReloaderHealth({ ...RUNNING, refusedInputs }, pending, 10_100, GRACE);
  assert.deepEqual([refused.healthy, refused.body.status], [false, "failing"]);
  assert.match(refused.body.reason, /refused \(gen-5 failed haproxy -c\); HAProxy keeps running gen-4/);
  const newer = judgeReloaderHealth({ ...RUNNING, refusedInputs }, { ...pending, hash: "h6" }, 10_100, GRACE);
  assert.equal(newer.body.status, "applying", "newer files than the refused ones are in flight");

  const retry = { attempt: 2, at: 11_100, reason: "the reload of gen-5 failed: [failed: 1]" };
  const waiting = judgeReloaderHealth({ ...RUNNING, retry }, pending, 10_100, GRACE);
  assert.deepEqual([waiting.healthy, waiting.body.status], [false, "failing"]);
  assert.deepEqual(waiting.body.retry, { attempt: 2, inSeconds: 1, reason: retry.reason });
  assert.match(
    waiting.body.reason,
    /gen-5 failed: \[failed: 1\]; HAProxy keeps running gen-4, retry 2 in 1 s/,
  );
});

test("a reload held for old workers is applying past the window; a missing input still fails", () => {
  const pending: AppliedState = { ...APPLIED, applied: false, hash: "h5", changedAt: 10_000 };
  const reloadHeld = "20 old HAProxy workers still finish their connections (at most 20)";
  const held = judgeReloaderHealth({ ...RUNNING, reloadHeld }, pending, 60_000, GRACE);
  assert.deepEqual([held.healthy, held.body.status], [true, "applying"]);
  assert.match(held.body.reason, /^20 old HAProxy workers .*; HAProxy keeps running gen-4$/);
  const missing = { ...pending, problem: "/etc/haproxy/domain.map is missing" };
  assert.equal(judgeReloaderHealth({ ...RUNNING, reloadHeld }, missing, 10_100, GRACE).healthy, false);
  // An adopted master whose reload is held: what it runs is unknown until that reload.
  const adopted: AppliedState = {
    ...pending,
    generation: null,
    problem: "no configuration is confirmed running",
  };
  const unknown = { ...RUNNING, runningGeneration: null, reloadHeld };
  const heldAdopted = judgeReloaderHealth(unknown, adopted, 60_000, GRACE);
  assert.deepEqual([heldAdopted.healthy, heldAdopted.body.status], [true, "applying"]);
  // Said as what it is, not as "gen-?".
  assert.match(
    heldAdopted.body.reason,
    /; HAProxy keeps running the config the adopted master had loaded \(not reloaded since the adoption\)$/,
  );
  assert.equal(judgeReloaderHealth({ ...unknown, reloadHeld: null }, adopted, 60_000, GRACE).healthy, false);
});

test("a failure on record stays failing while the retry's pass is held for old workers", () => {
  // The retry of a check haproxy -c could not run, then its pass held: nothing was checked since.
  const status = new ReloaderStatus();
  status.haproxyStarted(100);
  status.currentIs(4);
  status.workerConfirmed(101, 3);
  const failure = "haproxy -c could not run: spawn EAGAIN";
  status.retryScheduled(2, 11_100, failure);
  status.reloadHeld("20 old HAProxy workers still finish their connections (at most 20)");
  const pending: AppliedState = { ...APPLIED, applied: false, hash: "h5", changedAt: 10_000 };
  const held = judgeReloaderHealth(status.snapshot(), pending, 12_000, GRACE);
  assert.deepEqual([held.healthy, held.body.status], [false, "failing"], held.body.reason);
  assert.equal(held.body.retry?.reason, failure);
  assert.match(
    held.body.reason,
    /^haproxy -c could not run: spawn EAGAIN; HAProxy keeps running gen-4, the retry is held \(20 old HAProxy workers/,
  );
});

test("/config masks stats credentials and any private key block, and keeps everything else", () => {
  const config = [
    "listen rh_stats",
    "    stats auth ops:s3cret",
    "userlist u",
    "    user ops insecure-password s3cret",
    "    bind :443 ssl crt /etc/haproxy/server.pem",
    "-----BEGIN PRIVATE KEY-----",
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg",
    "-----END PRIVATE KEY-----",
    "-----BEGIN EC PRIVATE KEY-----",
    "abc",
  ].join("\n");
  const shown = redactConfig(config);
  assert.ok(!shown.includes("s3cret"));
  assert.ok(!shown.includes("MIGHAgEAMBMGByqGSM49"));
  assert.ok(!shown.includes("abc"), "an unterminated key block is masked to the end");
  assert.match(shown, /stats auth \[redacted\]/);
  assert.match(shown, /insecure-password \[redacted\]/);
  assert.match(shown, /crt \/etc\/haproxy\/server\.pem/);
  assert.equal((shown.match(/\[redacted private key\]/g) ?? []).length, 2);
});
