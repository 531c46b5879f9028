// A `program` of a --config does not slow every start and reload by a stuck `show proc` (found by a
// review, measured on 2.6.12): the program inherits the master CLI's listening socket, so a connection
// queued on it while the master re-executes (or starts) is never accepted nor reset: it hangs. The
// confirmation polls `show proc` every 20 ms and one of its connections always lands there; each waited
// 2 s for its answer, so a start or reload took 2 s more, and under a --reload-timeout of 2 s the start
// failed ("not confirmed by show proc") and every reload timed out.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { userConfigFixture, userConfigLines } from "./helpers/user-config.ts";

test("a --config with a `program`: the start and a reload are confirmed within a 2 s --reload-timeout", async (t) => {
  const { app, fixture, userConfig } = await userConfigFixture(t, "127.0.0.95");
  const extra = ["program idle", "    command /bin/sleep 60"];
  await writeFile(userConfig, userConfigLines(fixture.httpPort, [], extra).join("\n"));
  const reloader = await fixture.start(["--config", userConfig, "--reload-timeout", "2s"], {
    RUNTIME_UPDATES: "false",
  });
  await reloader.waitForEvent("haproxy.ready");
  for (const host of ["www.dev.tld", "api.dev.tld"]) {
    const from = reloader.logs.length;
    await fixture.write({
      backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
      map: renderTestMap({ "app.dev.tld": "app", [host]: "app" }),
    });
    await reloader.waitForEvent("reload.applied", { from, timeoutMs: 10_000 });
  }
  assert.equal(reloader.count("reload.failed"), 0);
});
