// Inputs the checks refuse at a start are counted like inputs refused later: reloader_check_failures_total
// and reloader_reloads_total{result="check_failed"} count them, and /healthz's lastError names the reason
// (its reason already did), so a restart onto refused files shows in the metrics too.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("inputs refused at a start are counted as a check failure, as the same refusal later is", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.207" });
  t.after(() => app.close());
  const good = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: good,
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  assert.deepEqual(await fixture.reloader.stop(), { code: 0, signal: null });

  // a server name twice in a backend: refused by the reloader's own check
  await fixture.write({ backends: `${good}    server s1 127.0.0.1:19\n` });
  const second = await fixture.start(["--status-port", "0"]);
  await second.waitForEvent("inputs.rejected");
  await second.waitForEvent("start.last-good");
  const url = String((await second.waitForEvent("status.listening"))["url"]);

  const health = await readStatusJson<ReloaderHealth["body"]>(url, "/healthz");
  assert.equal(health.status, 503);
  assert.match(health.json.reason, /^the files on disk are refused/);
  assert.match(health.json.lastError ?? "", /^inputs rejected: /);
  assert.ok(health.json.reason.includes(`(${health.json.lastError})`), "the reason quotes the same refusal");
  const metrics = await scrapeMetrics(url);
  assert.equal(metricValue(metrics, "reloader_check_failures_total"), 1);
  assert.equal(metricValue(metrics, "reloader_reloads_total", { result: "check_failed" }), 1);
  assert.equal(metricValue(metrics, "reloader_inputs_applied"), 0);
});
