// Issue 11, item 14 against the real reloader: with STATUS_TOKEN, /config and /metrics need the bearer
// token, /healthz (what Rancher's health check asks) stays open, and the token is never logged.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkTokenGuard } from "../../test-support/src/status/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("STATUS_TOKEN guards everything but /healthz on the reloader's status listener", async (t) => {
  const token = "tok-0123456789abcdef";
  const fixture = await createFixture((fn) => t.after(fn), { env: { STATUS_TOKEN: token } });
  const line = await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 });
  const url = String(line["url"]);
  await checkTokenGuard(url, token, ["/config", "/metrics", "/"]);
  assert.ok(!fixture.reloader.logs.some((entry) => JSON.stringify(entry).includes(token)));
});
