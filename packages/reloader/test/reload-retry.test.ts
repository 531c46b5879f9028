// A change whose reload fails is not forgotten (issue 10, item 4): HAProxy refuses the reload once for
// a real reason (a port another process holds: haproxy -c passes, binding during the reload fails),
// /healthz and /metrics show the change waiting for its retry, and once the port is free the same
// files are applied without any new write.
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import { RetryBackoff } from "../src/reload/retry-backoff.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { holdPort } from "./helpers/held-port.ts";

type Health = ReloaderHealth["body"];

test("retries wait 0.5 s doubling to 30 s, and start again at 0.5 s after a success", () => {
  const backoff = new RetryBackoff(500, 30_000);
  const delays = Array.from({ length: 9 }, () => backoff.next().delayMs);
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  backoff.reset();
  assert.deepEqual(backoff.next(), { attempt: 1, delayMs: 500 });
});

// The base config HAProxy loads: the reloader's private copy in its state dir (never the volume's).
function privateBase(fixture: Fixture): string {
  return join(fixture.stateDir, "haproxy.cfg");
}

// Inode and mtime of each input: equal before and after means nothing wrote them.
async function fileStamps(fixture: Fixture): Promise<string[]> {
  const paths = [privateBase(fixture), fixture.backendConfig, fixture.domainMap];
  return Promise.all(
    paths.map(async (path) => `${path} ${(await stat(path)).ino} ${(await stat(path)).mtimeMs}`),
  );
}

// A reloader serving app.dev.tld, then a change it cannot make live: its private base config gains a
// frontend on a port a plain listener (no SO_REUSEPORT) holds, as a new --config would at a restart, and
// the generator writes a new map. The change passes haproxy -c; every reload fails to bind until
// `unblock()`. `from`: the log position before the change.
async function failingChange(t: TestContext, args: string[]) {
  const app = await startBackend({ name: "app", host: "127.0.0.49" });
  t.after(() => app.close());
  const { port: blockedPort, release: unblock } = await holdPort(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    args,
  });
  await fixture.reloader.waitForEvent("reloader.ready");
  const from = fixture.reloader.logs.length;
  const base = await readFile(privateBase(fixture), "utf8");
  await writeFileAtomic(
    privateBase(fixture),
    `${base}\nfrontend rh_extra\n    bind 127.0.0.1:${blockedPort}\n`,
  );
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) });
  return { fixture, from, unblock, blockedPort };
}

test("a reload HAProxy refuses is retried, and the same files go live once it can take them", async (t) => {
  const { fixture, from, unblock, blockedPort } = await failingChange(t, ["--status-port", "0"]);
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const failed = await fixture.reloader.waitForEvent("reload.failed", { from });
  assert.match(String(failed["reason"]), /failed: 1/);
  const retry = await fixture.reloader.waitForEvent("apply.retry", { from });
  assert.equal(retry["attempt"], 1);
  assert.equal(retry["delayMs"], 500);
  const stamps = await fileStamps(fixture);

  // While it waits: /healthz fails and says so, the metrics count it, the old config keeps serving.
  const health = await readStatusJson<Health>(url, "/healthz");
  assert.equal(health.status, 503, JSON.stringify(health.json));
  assert.equal(health.json.status, "failing");
  assert.ok(health.json.retry !== null, "the retry is shown");
  // the first retry (0.5 s) may already have failed again by the time /healthz is read
  assert.match(health.json.reason, /the reload of gen-\d+ failed: .*failed: \d+.*retry \d+ in/);
  const waiting = await scrapeMetrics(url);
  assert.ok(metricValue(waiting, "reloader_apply_retries_total")! >= 1);
  assert.equal(metricValue(waiting, "reloader_apply_retry_pending"), 1);
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  assert.equal(fixture.reloader.count("reload.applied"), 0);

  // The port frees up: a later attempt applies the very same files, nobody writes them again.
  await unblock();
  const applied = await fixture.reloader.waitForEvent("reload.applied", { from, timeoutMs: 40_000 });
  assert.ok(Number(applied["generation"]) > Number(failed["generation"]), "a later attempt");
  assert.deepEqual(await fileStamps(fixture), stamps, "the inputs were not written again");
  const extra = await httpRequest({ url: `http://127.0.0.1:${blockedPort}/`, host: "x", timeoutMs: 2000 });
  assert.equal(extra.status, 503, "HAProxy now listens on the freed port (the new frontend is live)");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  // Once /healthz says ok, no retry is shown: the status clears it together with the switch's report
  // (under CI load it once answered ok with the last retry still shown, while the pass pruned old
  // snapshots before clearing it).
  const healthy = await waitFor(
    async () => {
      const answer = await readStatusJson<Health>(url, "/healthz");
      return answer.status === 200 && answer.json.status === "ok" ? answer.json : undefined;
    },
    { timeoutMs: 5000, message: "/healthz to be ok" },
  );
  assert.equal(healthy.retry, null);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_apply_retry_pending"), 0);
});

test("a failing change keeps its backoff while rescans tick faster than it (they neither start nor repeat a pass)", async (t) => {
  // A rescan every 50 ms: one lands in nearly every failing pass and in every wait between them.
  const { fixture, from } = await failingChange(t, ["--rescan-interval", "50ms"]);
  await fixture.reloader.waitForEvent("reload.failed", { from });
  const firstAt = performance.now();
  // It is retried (a second failure, however slow the machine)...
  const failures = () => fixture.reloader.logs.slice(from).filter((line) => line.event === "reload.failed");
  await waitFor(() => failures().length >= 2, { timeoutMs: 15_000, message: "a retry" });
  // ...but not at once: retries at +0.5, +1.5 and +3.5 s, so by +3.2 s at most 3 failed reloads (4 if the
  // machine is slow to log), where passes retried at once by rescans made one every few tens of ms.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3200 - (performance.now() - firstAt))));
  const lines = fixture.reloader.logs.slice(from);
  const failed = lines.filter((line) => line.event === "reload.failed").length;
  assert.ok(failed <= 4, `${failed} failed reloads in 3.2 s`);
  const attempts = lines.filter((line) => line.event === "apply.retry").map((line) => line["attempt"]);
  assert.deepEqual(
    attempts,
    attempts.map((_, index) => index + 1),
    "each failure waits its turn",
  );
  // The last failure's retry may be logged just after the window.
  assert.ok(
    attempts.length === failed || attempts.length === failed - 1,
    `every failure scheduled a retry: ${failed} failed, attempts ${JSON.stringify(attempts)}`,
  );
});
