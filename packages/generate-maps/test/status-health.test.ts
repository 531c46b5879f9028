// /healthz's verdict on a clock the test moves: starting, ok, a failed cycle between good ones, failing
// after 3 × the interval, and recovery; plus the state the listener keeps (applied vs newest, hash).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { MetadataClient } from "@rancher-haproxy/core";
import { metricValue, readStatusJson, scrapeMetrics } from "@rancher-haproxy/test-support";
import {
  buildRoutingTable,
  HEALTH_INTERVALS,
  createStatusState,
  judgeHealth,
  outputSha256,
  recordCycle,
  recordQuiet,
  recordWaitReach,
  renderFiles,
  startGeneratorStatus,
  type CycleResult,
  type HealthVerdict,
} from "../src/index.js";
import {
  captureLogger,
  clockAt,
  fakeWallClock,
  generatorOptions,
  MODEL_OPTIONS,
  recordedInput,
  tempDir,
} from "./helpers.js";

const INTERVAL = 10_000;
const table = buildRoutingTable(recordedInput(), MODEL_OPTIONS);
const files = renderFiles(table, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });

function good(version: string, hold = false): CycleResult {
  const guard = hold
    ? {
        action: "hold" as const,
        removal: { applied: 3, removed: 3, share: 1 },
        aliases: { applied: 0, removed: 0, share: 0 },
        pending: { fingerprint: "f", since: 0, heldSince: 0 },
        releaseAt: 30_000,
        shown: { since: 0, heldSince: 0, releaseAt: 30_000 },
        started: true,
        reason: "3 of 3 routed containers would go",
      }
    : null;
  return { ok: true, durationMs: 5, version, table, files, outcomes: [], guard };
}

const readFailure: CycleResult = {
  ok: false,
  stage: "read",
  failure: { kind: "network", message: "request failed: ECONNREFUSED" },
  durationMs: 3,
};

test("starting, then ok; a failed cycle between good ones stays ok; 3 intervals without success fail", () => {
  const state = createStatusState(0);
  const starting = judgeHealth(state, 1000, INTERVAL);
  assert.deepEqual([starting.healthy, starting.body.status], [false, "starting"]);
  assert.equal(judgeHealth(state, 30_001, INTERVAL).body.status, "failing", "nothing for 3 intervals");

  recordCycle(state, good("v1"), clockAt(1000));
  const ok = judgeHealth(state, 2000, INTERVAL);
  assert.deepEqual([ok.healthy, ok.body.status, ok.body.version], [true, "ok", "v1"]);

  recordCycle(state, readFailure, clockAt(5000));
  const blip = judgeHealth(state, 6000, INTERVAL);
  assert.equal(blip.healthy, true);
  assert.match(
    blip.body.reason,
    /the last cycle failed, but one succeeded 5 s ago: request failed: ECONNREFUSED/,
  );

  const failing = judgeHealth(state, 31_001, INTERVAL);
  assert.deepEqual([failing.healthy, failing.body.status], [false, "failing"]);
  assert.match(
    failing.body.reason,
    /30 s ago, more than 3 × the 10 s interval: request failed: ECONNREFUSED/,
  );
  assert.equal(failing.body.lastSuccessSecondsAgo, 30);

  recordCycle(state, good("v2"), clockAt(32_000));
  assert.deepEqual(
    [judgeHealth(state, 32_000, INTERVAL).healthy, state.lastSuccess?.output.version],
    [true, "v2"],
  );
});

test("with a long interval, cycles failing for 3 × the 10 s retry cap fail /healthz; 3 × the interval is not waited", () => {
  // POLL_INTERVAL=3600: metadata down, every retry (each 10 s at most) failing, and /healthz said ok for
  // three hours after the last success, since only the interval bounded it.
  const HOUR = 3_600_000;
  const state = createStatusState(0);
  recordCycle(state, good("v1"), clockAt(1000));
  for (let at = 5000; at <= 35_000; at += 10_000) recordCycle(state, readFailure, clockAt(at));
  assert.equal(judgeHealth(state, 34_999, HOUR).healthy, true, "failing for less than 30 s");
  const failing = judgeHealth(state, 35_001, HOUR);
  assert.deepEqual([failing.healthy, failing.body.status], [false, "failing"]);
  assert.match(
    failing.body.reason,
    /every cycle since 30 s ago failed, more than 3 × the 10 s retry cap: request failed: ECONNREFUSED/,
  );
  recordCycle(state, good("v2"), clockAt(40_000));
  assert.equal(judgeHealth(state, 40_000, HOUR).healthy, true, "one success ends it");
  const never = createStatusState(0);
  recordCycle(never, readFailure, clockAt(1000));
  assert.equal(judgeHealth(never, 31_001, HOUR).body.status, "failing", "not 'starting' for 3 hours");
});

test("with a long interval, the long poll of the loop's wait failing for 3 × the 10 s retry cap fails /healthz; an answer, a good cycle or a quiet interval ends it", () => {
  // POLL_INTERVAL=3600, metadata down while the loop waits: no cycle runs to fail, and /healthz said ok
  // until the next one, up to an hour later.
  const HOUR = 3_600_000;
  const state = createStatusState(0);
  recordCycle(state, good("v1"), clockAt(1000));
  for (let at = 5000; at <= 35_000; at += 10_000) recordWaitReach(state, "request failed: ECONNREFUSED", at);
  assert.equal(judgeHealth(state, 34_999, HOUR).healthy, true, "failing for less than 30 s");
  const failing = judgeHealth(state, 35_001, HOUR);
  assert.deepEqual([failing.healthy, failing.body.status], [false, "failing"]);
  assert.match(
    failing.body.reason,
    /has not answered the long poll of \/version since 30 s ago, more than 3 × the 10 s retry cap: request failed: ECONNREFUSED/,
  );
  recordWaitReach(state, null, 36_000);
  assert.equal(judgeHealth(state, 36_000, HOUR).healthy, true, "an answer ends it");
  for (const end of [
    () => recordCycle(state, good("v2"), clockAt(80_000)),
    () => recordQuiet(state, clockAt(80_000)),
  ]) {
    recordWaitReach(state, "request failed: ECONNREFUSED", 40_000);
    assert.equal(judgeHealth(state, 80_000, HOUR).healthy, false);
    end();
    assert.equal(judgeHealth(state, 80_000, HOUR).healthy, true);
  }
  // A failed cycle does not end it: the outage goes on.
  recordWaitReach(state, "request failed: ECONNREFUSED", 90_000);
  recordCycle(state, readFailure, clockAt(100_000));
  assert.equal(judgeHealth(state, 120_001, HOUR).healthy, false);
});

test("with an interval under the 10 s cap, the retry cap /healthz names is the interval, as the backoff's", () => {
  // POLL_INTERVAL=4: retries come every 4 s at most, and /healthz fails after 3 × 4 s of failures; its
  // reason said "3 × the 10 s retry cap".
  const state = createStatusState(0);
  recordCycle(state, good("v1"), clockAt(1000));
  recordQuiet(state, clockAt(13_000));
  for (let at = 2000; at <= 14_000; at += 4000) recordWaitReach(state, "request failed: ECONNREFUSED", at);
  assert.equal(judgeHealth(state, 13_999, 4000).healthy, true, "failing for less than 12 s");
  const failing = judgeHealth(state, 14_001, 4000);
  assert.equal(failing.healthy, false);
  assert.match(failing.body.reason, /since 12 s ago, more than 3 × the 4 s retry cap: request failed/);
  const cycles = createStatusState(0);
  recordCycle(cycles, good("v1"), clockAt(1000));
  for (let at = 2000; at <= 14_000; at += 4000) recordCycle(cycles, readFailure, clockAt(at));
  recordQuiet(cycles, clockAt(13_000));
  assert.match(
    judgeHealth(cycles, 14_001, 4000).body.reason,
    /every cycle since 12 s ago failed, more than 3 × the 4 s retry cap/,
  );
});

test("a held cycle is the newest answer but not the applied one; the output hash is sha256(backends + map)", () => {
  const state = createStatusState(0);
  recordCycle(state, good("v1"), clockAt(1000));
  recordCycle(state, good("v2", true), clockAt(2000));
  assert.equal(state.applied?.output.version, "v1");
  assert.equal(state.lastSuccess?.output.version, "v2");
  const verdict = judgeHealth(state, 2500, INTERVAL);
  assert.equal(verdict.healthy, true);
  assert.equal(verdict.body.hold?.reason, "3 of 3 routed containers would go");
  assert.equal(verdict.body.hold?.releaseAt, new Date(30_000).toISOString());
  const expected = createHash("sha256")
    .update(files.backends.content + files.map.content)
    .digest("hex");
  assert.equal(outputSha256(files), expected);
  assert.equal(state.applied?.outputSha256, expected);
});

test("an interval whose check found nothing moved counts as a success; the files' cycle keeps its time", () => {
  const state = createStatusState(0);
  recordCycle(state, good("v1"), clockAt(1_000));
  recordQuiet(state, clockAt(30_000));
  recordQuiet(state, clockAt(40_000));
  const verdict = judgeHealth(state, 60_000, INTERVAL);
  assert.equal(verdict.healthy, true, verdict.body.reason);
  assert.equal(verdict.body.lastSuccessSecondsAgo, 20);
  assert.equal(state.applied?.at, 1_000, "/routes' `at` is still the cycle the files come from");
  assert.equal(judgeHealth(state, 71_000, INTERVAL).healthy, false, "3 intervals after the last check");
  const fresh = createStatusState(0);
  recordQuiet(fresh, clockAt(5_000));
  assert.equal(fresh.lastSuccess, null, "no check stands in for a first cycle");
});

test("/healthz and the age metric measure on the monotonic clock: a wall clock stepped forward fails nothing, one stepped back keeps nothing ok", async (t) => {
  const wall = fakeWallClock(t);
  const dir = await tempDir(t);
  const intervalMs = 1000; // its 3 s health window holds the first request even on a loaded machine
  const options = generatorOptions("127.0.0.1:1", dir, {
    intervalMs,
    status: { port: 0, bind: "127.0.0.1" },
  });
  const unused: MetadataClient = {
    baseUrl: "http://unused/2015-12-19",
    getJson: () => Promise.reject(new Error("unused")),
    getText: () => Promise.reject(new Error("unused")),
    waitForVersion: () => Promise.reject(new Error("unused")),
  };
  const status = await startGeneratorStatus(options, captureLogger().logger, unused);
  t.after(() => status.close());
  const url = status.server?.url ?? assert.fail("the listener runs");
  status.onCycle(good("v1"));

  wall.step(3_600_000);
  const ahead = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
  assert.deepEqual([ahead.status, ahead.json.status], [200, "ok"], ahead.json.reason);
  assert.ok((ahead.json.lastSuccessSecondsAgo ?? Infinity) < 60, "not an hour ago");

  wall.step(-3_600_000);
  await delay((HEALTH_INTERVALS + 1) * intervalMs);
  const behind = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
  assert.deepEqual([behind.status, behind.json.status], [503, "failing"], behind.json.reason);
  const age = metricValue(await scrapeMetrics(url), "generate_maps_seconds_since_last_success") ?? -1;
  assert.ok(age >= (HEALTH_INTERVALS * intervalMs) / 1000 && age < 60, `${age} s`);
});
