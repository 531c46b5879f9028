// A reloader started again adopts the master a killed one left serving, and reloads it once so it runs
// the current snapshot. The reload hold (reload/old-workers-cap.ts) counted the old workers only from
// the first `show proc` after that reload: a master adopted with MAX_OLD_WORKERS old workers, each
// holding a stream, got one more. Now the adoption's reload is left to the applier's first pass, held
// like any reload until one of them ended.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { metricValue, readStatus, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";
import { alphaBetaInputs, reloadCounter, stackOldWorkers } from "./helpers/stacked-old-workers.ts";

// The fixture's master with MAX_OLD_WORKERS old workers, each holding a stream (stackOldWorkers, on
// `inputs`), and its reloader killed (SIGKILL), so that the next start adopts it; the master is killed
// after the test.
async function orphanedAtTheCap(
  t: TestContext,
  fixture: Fixture,
  inputs: Parameters<typeof stackOldWorkers>[3],
) {
  const { streams, full } = await stackOldWorkers(t, fixture, MAX_OLD_WORKERS, inputs);
  t.after(() => killIfHaproxy(full.masterPid));
  const first = fixture.reloader;
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  return { streams, full };
}

test(`a master adopted with ${MAX_OLD_WORKERS} old workers holding connections is reloaded once one ends`, async (t) => {
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    ...alphaOnly,
    args: ["--rescan-interval", "0", "--status-port", "0"],
  });
  const { streams, full } = await orphanedAtTheCap(t, fixture, [alphaOnly, withBetaNoted("# with beta")]);
  const beta = async () => (await httpRequest({ url: fixture.url, host: "beta.dev.tld" })).status;
  assert.equal(await beta(), 503, "the adopted workers run the inputs without beta");

  // A change while no reloader runs: the adoption's reload would bring it.
  await fixture.write(withBetaNoted("# adopted"));
  const second = await fixture.start();
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], full.masterPid);
  const url = String((await second.waitForEvent("status.listening"))["url"]);
  await waitFor(() => second.count("reload.held") > 0 || second.count("adopt.reloaded") > 0, {
    message: "reload.held or the adoption's reload",
  });
  assert.equal((await reloadCounter(fixture)).reloads, full.reloads, "no reload at the cap");
  assert.equal(second.count("adopt.reload-held"), 1);
  const health = await readStatus(url, "/healthz");
  assert.equal(health.status, 200, health.body);
  const body = JSON.parse(health.body) as { status: string; reason: string };
  assert.equal(body.status, "applying");
  assert.match(body.reason, /old HAProxy workers still finish their connections/);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_reload_held"), 1);
  assert.equal(await beta(), 503, "held: still the inputs without beta");

  // The oldest stream ends, so does its worker: one reload brings the inputs as they are.
  streams.shift()?.close();
  await waitFor(async () => (await beta()) === 200, { timeoutMs: 15_000, message: "beta routed" });
  const after = await reloadCounter(fixture);
  assert.equal(after.reloads, full.reloads + 1, "one reload");
  assert.ok(after.oldWorkerPids.length <= MAX_OLD_WORKERS, `${after.oldWorkerPids.length} old workers`);
  const running = await readFile(join(fixture.stateDir, "current", "inputs", "haproxy-backends.cfg"), "utf8");
  assert.ok(running.includes("# adopted"), running);
  await waitFor(() => second.count("reload.released") > 0, { message: "reload.released" });
});

test(`a master adopted with ${MAX_OLD_WORKERS} old workers and inputs refused at that start is never shown held; it fails for the inputs until they change`, async (t) => {
  // d73a6f3 (README, the hold): refused inputs plan no reload, so the adopted workers keep what they ran
  // until the inputs change. /healthz must say that, before and after the old workers end: failing for
  // the refused files, HAProxy running what the adopted master had loaded (it said "gen-?"), and no hold
  // (reloader_reload_held 0) that would stay "applying" with nothing left to wait for.
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const fixture = await createFixture((fn) => t.after(fn), { ...alphaOnly, deferStart: true });
  await fixture.start(["--rescan-interval", "0", "--status-port", "0"]);
  const { streams, full } = await orphanedAtTheCap(t, fixture, [alphaOnly, withBetaNoted("# with beta")]);
  // A server declared twice: the contract refuses these inputs at the next start.
  const refused = withBetaNoted("# refused");
  await fixture.write({
    backends: refused.backends.replace(/( {4}server s1 .*\n)/, "$1$1"),
    map: refused.map,
  });

  // A rescan every second (debug: inputs.unchanged) shows the passes that run after the old workers end.
  const second = await fixture.start([
    "--rescan-interval",
    "1s",
    "--status-port",
    "0",
    "--log-level",
    "debug",
  ]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], full.masterPid);
  const url = String((await second.waitForEvent("status.listening"))["url"]);
  await second.waitForEvent("adopt.reload-held");
  const judged = async () => {
    const health = await readStatus(url, "/healthz");
    assert.equal(health.status, 503, health.body);
    const body = JSON.parse(health.body) as { status: string; reason: string; runningGeneration: unknown };
    assert.equal(body.status, "failing");
    assert.match(
      body.reason,
      /^the files on disk are refused \(inputs rejected: \S+haproxy-backends\.cfg:\d+ server/,
    );
    assert.match(
      body.reason,
      /; HAProxy keeps running the config the adopted master had loaded \(not reloaded since the adoption\)$/,
    );
    assert.equal(body.runningGeneration, null);
    assert.equal(metricValue(await scrapeMetrics(url), "reloader_reload_held"), 0);
  };
  await judged();

  // Every stream ends, so does every old worker; the passes after it plan nothing and show no hold.
  for (const stream of streams.splice(0)) stream.close();
  await waitFor(async () => (await reloadCounter(fixture)).oldWorkerPids.length === 0, {
    timeoutMs: 15_000,
    message: "no old worker left",
  });
  const from = second.logs.length;
  await second.waitForEvent("inputs.unchanged", { from });
  await judged();
  assert.equal(second.count("reload.held"), 0, "never held");
  assert.equal((await reloadCounter(fixture)).reloads, full.reloads, "no reload for refused inputs");

  // Inputs that pass: one reload, and HAProxy runs them.
  await fixture.write(withBetaNoted("# fixed"));
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "beta.dev.tld" })).status === 200, {
    timeoutMs: 15_000,
    message: "beta routed",
  });
  assert.equal((await reloadCounter(fixture)).reloads, full.reloads + 1, "one reload");
  await waitFor(async () => (await readStatus(url, "/healthz")).status === 200, { message: "/healthz ok" });
});
