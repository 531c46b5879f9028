// Runtime steps that failed partway leave the worker running part of them (HAProxy runs every command of
// a line) until a worker is confirmed again; when the fallback reload does not go live (refused, timed
// out), /healthz says so instead of "HAProxy keeps running gen-<n>", and never "ok" (found by a review);
// nor do `inputsApplied` and reloader_inputs_applied say the files on disk are what it runs.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { resolveOptions } from "../src/options/resolve-options.ts";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import { pointCurrent, stageSnapshot } from "../src/output/stage-snapshot.ts";
import { reportRuntime } from "../src/reload/report-runtime.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { judgeReloaderHealth, type ReloaderHealth } from "../src/status/judge-reloader-health.ts";
import type { AppliedState } from "../src/status/read-applied-state.ts";
import { startReloaderStatus } from "../src/status/start-reloader-status.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { appliedState } from "./helpers/applied-state.ts";

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
  const pending = appliedState({ generation: 4, applied: false, hash: "h5", changedAt: 1000 });
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

test("the files on disk back at gen-<n>'s bytes over partial steps: reloader_inputs_applied is 0, as /healthz fails", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-partial-steps-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const layout = stateLayout(join(dir, "state"));
  const files = { base: "global\n  maxconn 100\n", backends: "backend app\n  server s1 127.0.0.1:8080\n" };
  const map = "app.dev.tld app\n";
  const inputs = { backends: Buffer.from(files.backends), map: Buffer.from(map) };
  const content = { ...files, base: Buffer.from(files.base), map, pathHosts: "", slotsJson: "{}", inputs };
  await stageSnapshot(layout, 4, content);
  await pointCurrent(layout, 4);
  const paths = { base: join(dir, "haproxy.cfg"), backends: join(dir, "b.cfg"), map: join(dir, "d.map") };
  await writeFile(paths.base, files.base);
  await writeFile(paths.backends, files.backends);
  await writeFile(paths.map, map);
  const status = new ReloaderStatus();
  status.haproxyStarted(100);
  status.currentIs(4);
  status.workerConfirmed(101, 3);
  const options = resolveOptions({}, { STATUS_PORT: "0", STATUS_BIND: "127.0.0.1" });
  const logger = createLogger({ name: "test", level: "silent", format: "json" });
  const server = await startReloaderStatus({ options, status, layout, inputs: paths, logger });
  assert.ok(server);
  t.after(() => server.close());
  const shown = async () => {
    const health = await readStatusJson<ReloaderHealth["body"]>(server.url, "/healthz");
    const applied = metricValue(await scrapeMetrics(server.url), "reloader_inputs_applied");
    return { status: health.json.status, inputsApplied: health.json.inputsApplied, applied };
  };
  assert.deepEqual(await shown(), { status: "ok", inputsApplied: true, applied: 1 });

  // Steps toward gen-5 failed partway, its fallback reload was refused: the worker runs gen-4 and part of them.
  status.runtimeStepsFailed(5);
  status.retryScheduled(1, Date.now() + 10_000, "the reload of gen-5 failed: [failed: 1]");
  assert.deepEqual(await shown(), { status: "failing", inputsApplied: false, applied: 0 });

  // A worker confirmed again (the retry's reload) runs gen-4's files whole.
  status.workerConfirmed(102, 4);
  status.retryCleared();
  assert.deepEqual(await shown(), { status: "ok", inputsApplied: true, applied: 1 });
});
