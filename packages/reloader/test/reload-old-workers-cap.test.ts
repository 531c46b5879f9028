// A writer of the shared volume alternating two inputs that differ by a backend made a reload per
// pass (4.7 a second here), and each old worker holding a client connection lived up to
// hard-stop-after (30 s): 140 workers, 830 MiB and 2 100 file descriptors in 30 s. With
// MAX_OLD_WORKERS old workers each holding a stream, the next change waits (`reload.held`, /healthz 200
// "applying") instead of adding a worker, and the changes written meanwhile go live in one reload once
// a stream ends. HAProxy's own reload counter (`show proc`) counts the reloads.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { metricValue, readStatus, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { createFixture } from "./helpers/fixture.ts";
import { alphaBetaInputs, reloadCounter, stackOldWorkers } from "./helpers/stacked-old-workers.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

test(`a reload waits while ${MAX_OLD_WORKERS} old workers hold connections; the changes meanwhile go live in one reload`, async (t) => {
  // One backend more: a reload, not a runtime step (`comment`: other bytes, the same routing).
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const withBeta = withBetaNoted("# with beta");
  const fixture = await createFixture((fn) => t.after(fn), {
    ...alphaOnly,
    args: ["--rescan-interval", "0", "--status-port", "0"],
  });
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const counter = () => reloadCounter(fixture);
  const beta503 = async () => (await httpRequest({ url: fixture.url, host: "beta.dev.tld" })).status;

  // Every old worker holds a connection.
  const { streams, full } = await stackOldWorkers(t, fixture, MAX_OLD_WORKERS, [alphaOnly, withBeta]);
  // show proc lists the last reload's worker before the reloader has its verdict and logs reload.applied:
  // waited for, so that line is not counted below among the reloads since `from`.
  await fixture.reloader.waitForEvent("reload.applied", {
    match: (line) => line["workerPid"] === full.workerPid,
    timeoutMs: 15_000,
  });
  assert.equal(fixture.reloader.count("reload.held"), 0, "no reload was held on the way");
  assert.equal(await beta503(), 503, "an even number of reloads ends on the inputs without beta");

  // Three more changes, none back to the running inputs: the first is held (before, it reloaded at once).
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, withBeta);
  await waitFor(
    async () => fixture.reloader.count("reload.held") > 0 || (await counter()).reloads > full.reloads,
    { message: "reload.held or a reload" },
  );
  assert.equal((await counter()).reloads, full.reloads, "no reload while the old workers are at the cap");
  const held = fixture.reloader.logs.slice(from).find((line) => line.event === "reload.held");
  assert.match(String(held?.["reason"]), new RegExp(`^${MAX_OLD_WORKERS} old HAProxy workers`));
  const health = await readStatus(url, "/healthz");
  assert.equal(health.status, 200, health.body);
  const body = JSON.parse(health.body) as { status: string; reason: string };
  assert.equal(body.status, "applying");
  assert.match(body.reason, /old HAProxy workers still finish their connections/);
  // The bound the rendered config sets (--hard-stop-after, 30 s by default), by its value.
  assert.match(body.reason, /\(hard-stop-after 30000ms bounds the wait\)/);
  // What an alert reads: a reload held now, one hold so far.
  const heldMetrics = await scrapeMetrics(url);
  assert.equal(metricValue(heldMetrics, "reloader_reload_held"), 1);
  assert.equal(metricValue(heldMetrics, "reloader_reload_holds_total"), 1);
  await writeInOnePass(fixture, withBetaNoted("# held 2"));
  // A writer between its two renames (the map names a backend the backends file does not declare yet):
  // that pass never asks the master, and ends no hold (before, it logged reload.released, then the next
  // pass reload.held again).
  const unsettledFrom = fixture.reloader.count("inputs.unsettled");
  await writeInOnePass(fixture, {
    ...withBetaNoted("# held 2"),
    map: renderTestMap({ "alpha.dev.tld": "alpha", "beta.dev.tld": "beta", "gamma.dev.tld": "gamma" }),
  });
  await waitFor(() => fixture.reloader.count("inputs.unsettled") > unsettledFrom, { message: "unsettled" });
  await writeInOnePass(fixture, withBetaNoted("# held 3"));
  // The unsettled pass took the hold out of /healthz; the next pass, held again, puts it back.
  await waitFor(
    async () => /old HAProxy workers still finish/.test((await readStatus(url, "/healthz")).body),
    { message: "/healthz held again" },
  );
  assert.equal(await beta503(), 503, "held: HAProxy still runs the inputs without beta");
  assert.equal(fixture.reloader.count("reload.released"), 0, "no hold ended before an old worker did");

  // The first worker's stream ends, so does that worker: one reload brings the last inputs (the map's
  // beta line and the backends with "# held 3", as the running snapshot's copy of the inputs shows).
  streams.shift()?.close();
  await waitFor(async () => (await beta503()) === 200, { timeoutMs: 15_000, message: "beta routed" });
  const after = await counter();
  const running = await readFile(join(fixture.stateDir, "current", "inputs", "haproxy-backends.cfg"), "utf8");
  assert.ok(running.includes("# held 3"), running);
  assert.equal(after.reloads, full.reloads + 1, "the three held changes went live in one reload");
  assert.ok(after.oldWorkerPids.length <= MAX_OLD_WORKERS, `${after.oldWorkerPids.length} old workers`);
  // Logged once the reload's pass ends, which may be after beta answers.
  await waitFor(() => fixture.reloader.count("reload.released") > 0, { message: "reload.released" });
  assert.equal(fixture.reloader.count("reload.held"), 1, "the hold is logged once");
  // The reload that ends the hold is timed from the first file event of the changes it brings, not
  // from the recheck that found a worker gone, which has no event (changeToAppliedMs was null then).
  const applied = fixture.reloader.logs.slice(from).filter((line) => line.event === "reload.applied");
  assert.equal(applied.length, 1, "one reload brought the held changes");
  assert.equal(typeof applied[0]?.["changeToAppliedMs"], "number", "timed from the first event");
  // The unsettled read during the hold started no second one.
  const released = await scrapeMetrics(url);
  assert.equal(metricValue(released, "reloader_reload_held"), 0);
  assert.equal(metricValue(released, "reloader_reload_holds_total"), 1);
});
