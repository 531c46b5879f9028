// `haproxy -c` checks the files in the mode HAProxy runs them in, master-worker (found by a review): a
// user's --config with a `program` section, which the reloader's HAProxy (-W) runs, failed every check
// ("Can't use a 'program' section without master worker mode"), so the reloader never started on it.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { userConfigFixture, userConfigLines } from "./helpers/user-config.ts";

test("a --config with a `program` section passes the check and is served", async (t) => {
  const { fixture, userConfig } = await userConfigFixture(t, "127.0.0.93");
  const extra = ["program idle", "    command /bin/sleep 60"];
  await writeFile(userConfig, userConfigLines(fixture.httpPort, [], extra).join("\n"));
  const reloader = await fixture.start(["--config", userConfig]);
  assert.equal(reloader.count("check.failed"), 0);
  await reloader.waitForEvent("haproxy.ready");
});
