// Issue 11, item 14 against the real reloader: with STATUS_TOKEN, /config and /metrics need the bearer
// token, /healthz (what Rancher's health check asks) stays open, and the token is never logged; the
// connections over the listener's cap are counted on /metrics and logged.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkTokenGuard,
  floodStatusListener,
  metricValue,
  scrapeMetrics,
} from "../../test-support/src/status/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("STATUS_TOKEN guards everything but /healthz on the reloader's status listener", async (t) => {
  const token = "tok-0123456789abcdef";
  const fixture = await createFixture((fn) => t.after(fn), { env: { STATUS_TOKEN: token } });
  const line = await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 });
  const url = String(line["url"]);
  await checkTokenGuard(url, token, ["/config", "/metrics", "/"]);
  assert.ok(!fixture.reloader.logs.some((entry) => JSON.stringify(entry).includes(token)));
});

test("connections over the reloader's status listener cap are counted on /metrics and logged", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn));
  const line = await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 });
  const url = String(line["url"]);
  const dropped = async (reason: string) =>
    metricValue(await scrapeMetrics(url), "reloader_status_connections_dropped_total", { reason });
  assert.equal(await dropped("max_connections"), 0);
  // 64 connections at most: the scrape's keep-alive connection may hold one of them.
  const closed = await floodStatusListener(url, 70);
  assert.ok(closed >= 6, `${closed} closed at once`);
  const logged = await fixture.reloader.waitForEvent("status.connections-dropped", { timeoutMs: 5000 });
  assert.equal(
    (logged["reasons"] as Record<string, number>)["max_connections"],
    1,
    "the first drop, at once",
  );
  assert.equal(await dropped("max_connections"), closed);
  assert.equal(await dropped("timeout"), 0);
});
