// A reloader restarted (SIGKILL, a crash) adopts the master still serving and reloads it onto the
// snapshot it just staged; when the master refuses that reload (a config that passes `haproxy -c` but
// fails to load: a bind on a port another process holds), its workers serve on the snapshot `current`
// named before the start, and `current` goes back there, as for a switch refused at runtime (found by a
// review: it stayed on the refused snapshot, every refused retry pointed it "back" there again, and a
// restart of HAProxy would load it). A fixture stands in for haproxy: while `refuse` exists, its next
// re-execution (`-sf`) adds `-f bad.cfg`, which HAProxy keeps for its later re-executions.
import assert from "node:assert/strict";
import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { refuseThenAddWeb, startRefusingScenario } from "./helpers/adopt-scenario.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("an adoption reload the master refuses points `current` back at the snapshot its workers run", async (t) => {
  const { app, web, fixture, stand, first, masterPid, running } = await startRefusingScenario(t, [
    "127.0.0.71",
    "127.0.0.72",
  ]);
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  // While no reloader runs, the files change, and the master will refuse its next reload.
  await refuseThenAddWeb(fixture, stand, { app: app.address, web: web.address });
  const second = await fixture.start(["--haproxy-bin", stand.bin]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  const failed = await second.waitForEvent("adopt.reload-failed");
  assert.equal(failed["kind"], "rejected");
  assert.equal(`gen-${String(failed["keptGeneration"])}`, running, "pointed back at the running snapshot");
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the adopted workers still serve");

  // The retries are refused the same way and point back there too; the cause gone, the change goes live.
  await second.waitForEvent("reload.failed", { timeoutMs: 15_000 });
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  const fixed = second.logs.length;
  await writeFile(stand.bad, "");
  await second.waitForEvent("reload.applied", { from: fixed, timeoutMs: 60_000 });
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
});
