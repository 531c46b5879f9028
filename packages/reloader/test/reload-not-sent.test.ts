// A `reload` whose master-CLI connection fails (the socket gone: connect ENOENT) was never sent, and no
// reload timed out: `reload.failed` and /healthz say so (found by a review: they said "HAProxy did not
// confirm gen-N in time" and "the master has not answered since a reload timed out"). It is still held
// like one that timed out (someone else's reload may have reached the master): `current` does not move
// until the master answers again, and its reload count then decides (none: `reload.settled` `unknown`).
// A relay in front of the master CLI answers the `show proc` before the reload, then stops listening
// until the test reopens it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { relayMasterCli } from "./helpers/master-cli-relay.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

test("a reload that could not be sent is reported as not sent, not as timed out", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.0.153", "127.0.0.154"], { deferStart: true }, "web");
  const reloader = await fixture.start([
    "--reload-timeout",
    "2s",
    "--status-port",
    "0",
    "--rescan-interval", // no periodic show proc to take the relay's one answer
    "1h",
  ]);
  const statusUrl = String((await reloader.waitForEvent("status.listening"))["url"]);
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });

  const relay = await relayMasterCli(fixture.stateDir, (fn) => t.after(fn));
  relay.closeAfterNextShowProc();
  const from = reloader.logs.length;
  await fixture.write(appAndWebFiles(app.address, web.address));
  const failed = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  assert.match(String(failed["reason"]), /not sent.*ENOENT/);
  assert.equal(failed["sent"], false);
  assert.doesNotMatch(String(failed["msg"]), /in time/, "no reload timed out");
  assert.match(String(failed["msg"]), /not sent/);
  // The retry waits for the master, and /healthz says why, truthfully.
  await reloader.waitForEvent("reload.waiting", { from, timeoutMs: 15_000 });
  const health = await waitFor(
    async () => {
      const answer = await readStatusJson<{ reason: string }>(statusUrl, "/healthz");
      return /has not answered/.test(answer.json.reason) ? answer : null;
    },
    { timeoutMs: 10_000, message: "/healthz names the wait" },
  );
  assert.equal(health.status, 503);
  assert.doesNotMatch(health.json.reason, /timed out/, health.json.reason);
  assert.match(health.json.reason, /could not be sent/, health.json.reason);

  await relay.reopen();
  const settled = await reloader.waitForEvent("reload.settled", { from, timeoutMs: 15_000 });
  assert.equal(settled["outcome"], "unknown", "no reload counted since: no verdict, `current` stays");
  assert.equal(settled["sent"], false);
  assert.doesNotMatch(String(settled["msg"]), /timed out/);
  await reloader.waitForEvent("reload.applied", { from, timeoutMs: 30_000 });
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
  const samples = await scrapeMetrics(statusUrl);
  const counted = (result: string) => metricValue(samples, "reloader_reloads_total", { result }) ?? 0;
  assert.equal(counted("unconfirmed"), 1, "the reload not sent, counted once, as before");
  assert.equal(counted("ok"), 1, "the retry");
});
