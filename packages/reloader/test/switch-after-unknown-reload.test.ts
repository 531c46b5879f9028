// A reload the master never took (it did not count it: the master's next answer gives no verdict,
// `reload.settled` `unknown`) leaves `current` on a snapshot the workers never ran, and the `kept` link
// on the one they run. The next switch took `current` as what the workers run and pointed `kept` there,
// so when the master refused that switch, `current` went "back" to the snapshot no worker ever loaded
// (`keptGeneration`), the one a restart of HAProxy loads. A relay in front of the master CLI drops the
// first reload; a stand-in haproxy then refuses the retry's re-execution.
import assert from "node:assert/strict";
import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { relayMasterCli } from "./helpers/master-cli-relay.ts";
import { reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

test("a switch refused after a reload the master never took points `current` at what the workers run", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.0.151", "127.0.0.152"], { deferStart: true }, "web");
  const stand = await reexecHaproxy(fixture.dir, { addBad: true });
  const reloader = await fixture.start(["--haproxy-bin", stand.bin, "--reload-timeout", "2s"]);
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  const running = await readlink(join(fixture.stateDir, "current"));

  const relay = await relayMasterCli(fixture.stateDir, (fn) => t.after(fn));
  relay.dropNextReload();
  // The first re-execution the master makes (the retry's) loads a config it refuses.
  await writeFile(stand.bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(stand.flag, "");
  const from = reloader.logs.length;
  await fixture.write(appAndWebFiles(app.address, web.address));
  const settled = await reloader.waitForEvent("reload.settled", { from, timeoutMs: 20_000 });
  assert.equal(relay.dropped, 1, "the first reload never reached the master");
  assert.equal(settled["outcome"], "unknown");
  const refused = await waitFor(
    () =>
      reloader.logs
        .slice(from)
        .find((line) => line.event === "reload.failed" && line["keptGeneration"] != null) ?? null,
    { timeoutMs: 30_000, message: "the retry refused by the master" },
  );
  assert.equal(
    `gen-${String(refused["keptGeneration"])}`,
    running,
    "pointed back at the snapshot the workers run",
  );
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the old workers still serve");
});
