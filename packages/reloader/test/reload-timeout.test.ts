// A reload the master does not confirm within --reload-timeout (its re-execution takes longer: a large
// config to parse) leaves `current` on the new snapshot: the master may still be reading its files through
// `current`, and pointing it back then could load one generation's base config with another's backends.
// The snapshot passed haproxy -c, so whatever the master loads is consistent, and the retry confirms it.
// A fixture stands in for a slow master: while `slow` exists, its next re-execution (`-sf`) sleeps 4 s
// before the real HAProxy takes over.
import assert from "node:assert/strict";
import { access, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { metricValue, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

const routes = routesTo;

// The fixture's reloader on a master whose re-execution, while `slow` exists, sleeps 4 s (or with `gated`
// waits for a gate the test never opens; `woke` appears once it went on), --reload-timeout 2s, with its
// status listener; once app.dev.tld is routed.
async function startSlowReloader(
  fixture: Awaited<ReturnType<typeof appFixture>>["fixture"],
  reexec: { sleepSeconds: number } | { gated: true } = { sleepSeconds: 4 },
) {
  const { bin, flag: slow, woke } = await reexecHaproxy(fixture.dir, reexec);
  const reloader = await fixture.start([
    "--haproxy-bin",
    bin,
    "--reload-timeout",
    "2s",
    "--status-port",
    "0",
  ]);
  const statusUrl = String((await reloader.waitForEvent("status.listening"))["url"]);
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  return { reloader, statusUrl, slow, woke };
}

test("a reload not confirmed in time leaves `current` on the new snapshot (no mixed load), and the change goes live", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(
    t,
    ["127.0.0.63", "127.0.0.64"],
    {
      deferStart: true,
    },
    "web",
  );
  const { reloader, statusUrl, slow } = await startSlowReloader(fixture);

  const from = reloader.logs.length;
  await writeFile(slow, "");
  // In one pass: a backends file read alone would be a reload of its own (timing out), and the map after
  // it a second change, which finds what HAProxy runs unknown and reloads again.
  await writeInOnePass(fixture, appAndWebFiles(app.address, web.address));
  const failed = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  assert.match(String(failed["reason"]), /not confirmed/);
  assert.equal(failed["keptGeneration"], null, "nothing pointed back");
  assert.equal(
    await readlink(join(fixture.stateDir, "current")),
    `gen-${String(failed["generation"])}`,
    "`current` stays on the snapshot the master may still be loading",
  );
  // The master's late verdict says the reload went live: the retry finds HAProxy running the snapshot and
  // reloads nothing (it used to reload again, for state-unknown, cutting long-lived connections twice).
  // The start's own inputs.live (gen-1) can come after `from` on a loaded machine: wait for this one's.
  await reloader.waitForEvent("inputs.live", {
    from,
    timeoutMs: 30_000,
    match: (line) => line["generation"] === failed["generation"],
  });
  await waitFor(routes(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
  assert.ok(await routes(fixture.url, "app.dev.tld", "app")(), "app still routed");
  const after = (event: string) => reloader.logs.slice(from).filter((line) => line["event"] === event);
  assert.deepEqual(after("reload.planned").length, 1, "one reload, the one that timed out");
  // The reload that timed out went live: counted once, `ok` (found by a review: it was counted
  // `rejected`), so every reload HAProxy ran is counted `ok`.
  const samples = await scrapeMetrics(statusUrl);
  const counted = (result: string) => metricValue(samples, "reloader_reloads_total", { result }) ?? 0;
  assert.equal(counted("rejected"), 0, "no reload counted rejected");
  assert.equal(counted("unconfirmed"), 0, "the late verdict was taken");
  assert.equal(counted("ok"), 1, "the reload that timed out, counted ok");
  assert.equal(metricValue(samples, "reloader_worker_generation", {}), 1, "HAProxy reloaded once");
});

test("after a reload not confirmed in time, `current` does not move on until the master answers again", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.0.65", "127.0.0.66"], { deferStart: true }, "web");
  const { reloader, statusUrl, slow, woke } = await startSlowReloader(fixture);

  const from = reloader.logs.length;
  await writeFile(slow, "");
  const both = [
    { name: "app", servers: [{ address: app.address }] },
    { name: "web", servers: [{ address: web.address }] },
  ];
  await fixture.write({
    backends: renderTestBackends(both),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "web" }),
  });
  const failed = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  const timedOut = `gen-${String(failed["generation"])}`;
  // A change while the master still sleeps in its re-execution: before, its pass pointed `current` at
  // its own snapshot at once, under the master that had not read its files yet.
  await fixture.write({
    backends: renderTestBackends(both),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "web", "api.dev.tld": "web" }),
  });
  const seen = new Set<string>();
  const deadline = performance.now() + 20_000;
  while (performance.now() < deadline) {
    const asleep = !(await exists(woke));
    const current = await readlink(join(fixture.stateDir, "current"));
    if (!asleep) break;
    seen.add(current);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual([...seen], [timedOut], "`current` stayed on the snapshot the master was loading");
  await waitFor(routes(fixture.url, "api.dev.tld", "web"), { timeoutMs: 30_000, message: "the change live" });
  assert.ok(await routes(fixture.url, "www.dev.tld", "web")(), "www routed");
  // The reload that timed out went live (`reload.settled` `applied`): what the worker runs is known again,
  // so the change that came meanwhile (one map key) is a runtime step. Before (found by a review), it was
  // a second reload for `state-unknown`, cutting every long-lived connection again.
  // (HAProxy routes it once the steps are answered; runtime.applied follows the read-back after them: a
  // CI run under load counted 0 here.)
  await reloader.waitForEvent("runtime.applied", { from, timeoutMs: 10_000 });
  const after = (event: string) => reloader.logs.slice(from).filter((line) => line["event"] === event);
  assert.equal(after("reload.settled")[0]?.["outcome"], "applied");
  assert.deepEqual(
    after("reload.planned").map((line) => line["reason"]),
    ["backends-changed"],
    "one reload, the one that timed out",
  );
  assert.equal(after("runtime.applied").length, 1, "the change that came meanwhile, a runtime step");
  const samples = await scrapeMetrics(statusUrl);
  assert.equal(metricValue(samples, "reloader_worker_generation", {}), 1, "HAProxy reloaded once");
});

test("a reload not confirmed in time whose master dies before it answers again is counted once, interrupted", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.0.77", "127.0.0.78"], { deferStart: true }, "web");
  // Its armed re-execution waits on a FIFO the test never opens: the master does not answer again.
  const { reloader, statusUrl, slow } = await startSlowReloader(fixture, { gated: true });
  const ready = await reloader.waitForEvent("haproxy.ready");
  const from = reloader.logs.length;
  await writeFile(slow, "");
  await writeInOnePass(fixture, appAndWebFiles(app.address, web.address));
  const failed = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  assert.match(String(failed["reason"]), /not confirmed/);
  process.kill(Number(ready["pid"]), "SIGKILL");
  await reloader.waitForEvent("haproxy.exited", { from, timeoutMs: 10_000 });
  // The restart loads `current`, the snapshot of the reload that timed out.
  await waitFor(routes(fixture.url, "www.dev.tld", "web"), { timeoutMs: 30_000, message: "the change live" });
  // No verdict can come from a master that is gone: counted `interrupted` at its exit (README, metrics).
  const samples = await scrapeMetrics(statusUrl);
  const counted = (result: string) => metricValue(samples, "reloader_reloads_total", { result }) ?? 0;
  assert.equal(counted("interrupted"), 1, "the reload that timed out, counted interrupted");
  assert.equal(counted("unconfirmed"), 0, "not as one the master gave no verdict on");
  assert.equal(counted("rejected"), 0, "nor as refused");
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
