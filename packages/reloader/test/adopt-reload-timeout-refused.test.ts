// A reloader started again after a SIGKILL adopts the master and reloads it onto the snapshot it just
// staged; when that reload is not confirmed within --reload-timeout and the master, answering again,
// reports it refused, its workers serve on the snapshot `current` named before the start, and `current`
// goes back there, as for an adoption reload refused in time (found by a review: the adoption's reload
// carried no snapshot to go back to, so `current` stayed on the refused one, each refused retry pointed
// it "back" there again, and a restart of HAProxy would load it). A fixture stands in for a slow master
// whose re-execution then fails: while `slow` exists, its next re-execution (`-sf`) sleeps 4 s and adds
// `-f bad.cfg` (kept for its later re-executions).
import assert from "node:assert/strict";
import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { startServingApp, refuseThenAddWeb } from "./helpers/adopt-scenario.ts";
import { reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("an adoption reload that times out and is then refused points `current` back", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.88.3", "127.0.88.4"], { deferStart: true }, "web");
  const stand = await reexecHaproxy(fixture.dir, { sleepSeconds: 4, addBad: true });
  const args = ["--haproxy-bin", stand.bin, "--reload-timeout", "2s"];
  const { reloader: first, masterPid, running } = await startServingApp(t, fixture, args);
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  // While no reloader runs, the files change, and the master's next reload is slow, then refused.
  await refuseThenAddWeb(fixture, stand, { app: app.address, web: web.address });
  const second = await fixture.start(args);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  assert.equal((await second.waitForEvent("adopt.reload-failed"))["kind"], "timeout");
  const settled = await second.waitForEvent("reload.settled", { timeoutMs: 15_000 });
  assert.equal(settled["outcome"], "refused", "the master's late verdict is read");
  assert.equal(`gen-${String(settled["keptGeneration"])}`, running, "`current` goes back");
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the adopted workers still serve");

  // The retries are refused in time and point back there too; the cause gone, the change goes live.
  const refused = await second.waitForEvent("reload.failed", { timeoutMs: 15_000 });
  assert.equal(`gen-${String(refused["keptGeneration"])}`, running);
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  const fixed = second.logs.length;
  await writeFile(stand.bad, "");
  await second.waitForEvent("reload.applied", { from: fixed, timeoutMs: 60_000 });
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
});
