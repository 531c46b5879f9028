// A reloader started again adopts the master a killed one left serving, and reloads it once so it runs
// the current snapshot. The reload hold (reload/old-workers-cap.ts) counted the old workers only from
// the first `show proc` after that reload: a master adopted with MAX_OLD_WORKERS old workers, each
// holding a stream, got one more. Now the adoption's reload is left to the applier's first pass, held
// like any reload until one of them ended.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { metricValue, readStatus, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { createFixture } from "./helpers/fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";
import { alphaBetaInputs, reloadCounter, stackOldWorkers } from "./helpers/stacked-old-workers.ts";

test(`a master adopted with ${MAX_OLD_WORKERS} old workers holding connections is reloaded once one ends`, async (t) => {
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    ...alphaOnly,
    args: ["--rescan-interval", "0", "--status-port", "0"],
  });
  const { streams, full } = await stackOldWorkers(t, fixture, MAX_OLD_WORKERS, [
    alphaOnly,
    withBetaNoted("# with beta"),
  ]);
  t.after(() => killIfHaproxy(full.masterPid));
  const first = fixture.reloader;
  process.kill(first.pid, "SIGKILL");
  await first.exited;
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
