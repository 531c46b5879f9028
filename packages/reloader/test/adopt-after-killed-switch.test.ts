// A reloader SIGKILLed during a switch (after `current` moved to the new snapshot, before the reload's
// verdict) leaves `current` on a snapshot the workers never ran; here the master then refuses it. The
// next reloader adopts the master, and when the master refuses its adoption reload too, `current` goes
// back to the snapshot the workers run, named by the `kept` link the switch left, not to the refused one
// `current` named (found by a review: "current is back on gen-2", the snapshot the master had refused;
// every refused retry then pointed back there, and a restart of HAProxy would load it). A stand-in
// haproxy sleeps 3 s in the switch's re-execution (the kill lands then) and adds a bad config file.
import assert from "node:assert/strict";
import { access, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { refuseThenAddWeb, startRefusingScenario } from "./helpers/adopt-scenario.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("after a reloader killed mid-switch, a refused adoption reload points `current` at what the workers run", async (t) => {
  const { app, web, fixture, stand, first, masterPid, running } = await startRefusingScenario(
    t,
    ["127.0.0.231", "127.0.0.232"],
    { sleepSeconds: 3 },
  );
  await refuseThenAddWeb(fixture, stand, { app: app.address, web: web.address });
  const link = join(fixture.stateDir, "current");
  // The switch's reload is sent: the master re-executes (the stand-in takes its flag) and sleeps 3 s.
  const gone = (path: string) => async () =>
    access(path).then(
      () => false,
      () => true,
    );
  await waitFor(gone(stand.flag), { timeoutMs: 10_000, message: "the switch's reload" });
  assert.notEqual(await readlink(link), running, "current moved to the new snapshot");
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  const woke = () =>
    access(stand.woke).then(
      () => true,
      () => false,
    );
  await waitFor(woke, { timeoutMs: 10_000, message: "the master's re-execution" });

  const second = await fixture.start(["--haproxy-bin", stand.bin]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  const failed = await second.waitForEvent("adopt.reload-failed");
  assert.equal(failed["kind"], "rejected");
  assert.equal(`gen-${String(failed["keptGeneration"])}`, running, "pointed back at the running snapshot");
  assert.equal(await readlink(link), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the adopted workers still serve");

  // The cause gone, the change goes live, and `current` names what the workers run: no `kept` link.
  const fixed = second.logs.length;
  await writeFile(stand.bad, "");
  await second.waitForEvent("reload.applied", { from: fixed, timeoutMs: 60_000 });
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
  await assert.rejects(readlink(join(fixture.stateDir, "kept")), { code: "ENOENT" });
});
