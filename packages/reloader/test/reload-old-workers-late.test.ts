// The reload hold (reload/old-workers-cap.ts) reads the old-worker count of the last `show proc` the
// supervisor read. A reload not confirmed within --reload-timeout has no `show proc` after it: the count
// from before it was kept, and when that reload went live late, the master's answer (reload.settled) did
// not update it. With MAX_OLD_WORKERS - 1 old workers before such a reload, the next change was not held
// and made a 21st. A stand-in haproxy sleeps in that reload's re-execution, past the timeout.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { metricValue, readStatus, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { createFixture } from "./helpers/fixture.ts";
import { openGate, reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { alphaBetaInputs, reloadCounter, stackOldWorkers } from "./helpers/stacked-old-workers.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

test(`a reload that went live after its timeout counts toward the ${MAX_OLD_WORKERS} old workers`, async (t) => {
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    ...alphaOnly,
    args: ["--rescan-interval", "0"],
    deferStart: true,
  });
  const stand = await reexecHaproxy(fixture.dir, { sleepSeconds: 5 });
  const reloader = await fixture.start(["--haproxy-bin", stand.bin, "--reload-timeout", "3s"]);
  await stackOldWorkers(t, fixture, MAX_OLD_WORKERS - 1, [alphaOnly, withBetaNoted("# with beta")]);

  // The next re-execution sleeps 5 s: its reload is not confirmed in time, then goes live. The worker it
  // replaces holds a stream: MAX_OLD_WORKERS old workers.
  await writeFile(stand.flag, "");
  const from = reloader.logs.length;
  await writeInOnePass(fixture, alphaOnly);
  const settled = await reloader.waitForEvent("reload.settled", { from, timeoutMs: 30_000 });
  assert.equal(settled["outcome"], "applied");
  const late = await reloadCounter(fixture);
  assert.equal(late.oldWorkerPids.length, MAX_OLD_WORKERS);
  assert.ok(
    reloader.logs.slice(from).some((line) => line.event === "reload.failed"),
    "it timed out",
  );

  // The next change waits (before, it reloaded: 21 old workers).
  await writeInOnePass(fixture, withBetaNoted("# after the late reload"));
  await waitFor(
    async () => reloader.count("reload.held") > 0 || (await reloadCounter(fixture)).reloads > late.reloads,
    { message: "reload.held or a reload" },
  );
  const now = await reloadCounter(fixture);
  assert.equal(now.reloads, late.reloads, "no reload at the cap");
  assert.equal(now.oldWorkerPids.length, MAX_OLD_WORKERS);
});

// The retry a reload that timed out left on record ("the master has not answered since a reload timed
// out") is resolved once the master answers and that reload went live: the pass that then holds newer
// files asked the master. /healthz said 503 failing, that the master has not answered, for as long as
// the hold lasted (up to hard-stop-after), and reloader_apply_retry_pending 1.
test("a hold after a reload that went live late is applying, not the timeout's retry", async (t) => {
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    ...alphaOnly,
    args: ["--rescan-interval", "0", "--status-port", "0"],
    deferStart: true,
  });
  const stand = await reexecHaproxy(fixture.dir, { gated: true });
  const reloader = await fixture.start(["--haproxy-bin", stand.bin, "--reload-timeout", "3s"]);
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  await stackOldWorkers(t, fixture, MAX_OLD_WORKERS - 1, [alphaOnly, withBetaNoted("# with beta")]);

  // The next re-execution waits at the gate: its reload times out, and a retry is on record.
  await writeFile(stand.flag, "");
  const from = reloader.logs.length;
  await writeInOnePass(fixture, alphaOnly);
  await reloader.waitForEvent("reload.failed", { from, timeoutMs: 30_000 });
  // Newer files meanwhile; the second pass waiting for the master after they were written read them.
  await writeInOnePass(fixture, withBetaNoted("# during the late reload"));
  const written = reloader.logs.length;
  await reloader.waitForEvent("reload.waiting", { from: written, timeoutMs: 30_000 });
  const first = reloader.logs.findIndex((line, index) => index >= written && line.event === "reload.waiting");
  await reloader.waitForEvent("reload.waiting", { from: first + 1, timeoutMs: 30_000 });

  // The reload goes live: MAX_OLD_WORKERS old workers, so the newer files are held.
  await openGate(stand);
  const settled = await reloader.waitForEvent("reload.settled", { from: written, timeoutMs: 30_000 });
  assert.equal(settled["outcome"], "applied");
  await reloader.waitForEvent("reload.held", { from: written, timeoutMs: 30_000 });
  const health = await readStatus(url, "/healthz");
  const body = JSON.parse(health.body) as { status: string; reason: string; retry: unknown };
  assert.equal(health.status, 200, health.body);
  assert.equal(body.status, "applying");
  assert.match(body.reason, /old HAProxy workers still finish their connections/);
  assert.equal(body.retry, null);
  const metrics = await scrapeMetrics(url);
  assert.equal(metricValue(metrics, "reloader_apply_retry_pending"), 0);
  assert.equal(metricValue(metrics, "reloader_reload_held"), 1);
  assert.equal((await reloadCounter(fixture)).oldWorkerPids.length, MAX_OLD_WORKERS);
});
