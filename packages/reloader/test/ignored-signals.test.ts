// The signals a container may get besides the stops (SIGTERM, SIGINT, SIGHUP) are ignored, each logged
// (reloader.signal-ignored): node's default ended the reloader at once on SIGUSR2 or SIGQUIT (HAProxy
// orphaned until a new reloader adopted it), and SIGUSR1 opened node's inspector on 127.0.0.1:9229, a
// debugger port in a production container. The image's entrypoint ignores them too; these reach the
// reloader only when sent to it directly (`docker exec ... kill`, any local process).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  haproxyMasters,
  httpRequest,
  renderTestBackends,
  renderTestMap,
  startBackend,
  waitFor,
} from "@rancher-haproxy/test-support";
import { createFixture } from "./helpers/fixture.ts";

test("SIGUSR1, SIGUSR2, SIGQUIT and SIGXFSZ are ignored (logged; no inspector opened): HAProxy keeps serving, SIGTERM still stops it gracefully", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.77.1" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const serves = async () =>
    (await httpRequest({ url: fixture.url, host: "app.dev.tld", timeoutMs: 2000 }).catch(() => null))
      ?.body === "app";
  await waitFor(serves, { timeoutMs: 10_000, message: "app routed" });
  const masters = haproxyMasters(fixture.stateDir);
  const { reloader } = fixture;
  // SIGXFSZ too: node starts with it ignored, but execa's signal-exit adds a listener for each subprocess
  // and removes it after, and node then restores the default, not the ignore: a reloader that had run
  // `haproxy -c` died of SIGXFSZ (or of a write past RLIMIT_FSIZE), HAProxy orphaned.
  for (const signal of ["SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGXFSZ"] as const) {
    process.kill(reloader.pid, signal);
    await reloader.waitForEvent("reloader.signal-ignored", { match: (line) => line["signal"] === signal });
  }
  assert.ok(await serves(), "still routed");
  assert.deepEqual(haproxyMasters(fixture.stateDir), masters, "the same master");
  assert.equal(reloader.count("reloader.shutdown"), 0);
  assert.deepEqual(await reloader.stop(), { code: 0, signal: null });
  assert.equal(reloader.count("haproxy.stopped"), 1, "stopped gracefully");
  assert.ok(!reloader.logs.some((line) => JSON.stringify(line).includes("Debugger listening")));
});
