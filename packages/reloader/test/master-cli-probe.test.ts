// A master whose CLI goes silent while nothing changes (found by a review): before, nothing asked it until
// the next change, whose reload then timed out, and /healthz said ok for as long as it lasted. The master
// is stopped (SIGSTOP: alive, its socket accepting, never answering) while its worker serves on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { readStatus } from "../../test-support/src/status/index.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("a master whose CLI is silent is shown on /healthz and /metrics, and cleared once it answers again", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.94" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "one.dev.tld": "app" }),
    args: ["--rescan-interval", "1s"],
  });
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const health = async () => JSON.parse((await readStatus(url, "/healthz")).body) as { warnings: string[] };
  const cliOk = async () =>
    /^reloader_master_cli_ok (\d)$/m.exec((await readStatus(url, "/metrics")).body)?.[1];
  await waitFor(routesTo(fixture.url, "one.dev.tld", "app"), { timeoutMs: 10_000, message: "routed" });
  assert.equal(await cliOk(), "1");

  const [master] = fixture.reloader.haproxyPids();
  assert.ok(master !== undefined, "the master's pid is logged");
  process.kill(master, "SIGSTOP");
  try {
    await fixture.reloader.waitForEvent("haproxy.cli-silent", { timeoutMs: 20_000 });
    assert.match((await health()).warnings.join("\n"), /HAProxy's master has not answered its CLI/);
    assert.equal(await cliOk(), "0");
    assert.equal(await routesTo(fixture.url, "one.dev.tld", "app")(), true, "the worker serves on");
  } finally {
    process.kill(master, "SIGCONT");
  }
  await fixture.reloader.waitForEvent("haproxy.cli-answers", { timeoutMs: 20_000 });
  assert.deepEqual((await health()).warnings, []);
  assert.equal(await cliOk(), "1");
});
