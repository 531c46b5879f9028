// HAProxy dies during a switch's reload, which leaves the `kept` link naming the snapshot before it, and
// the supervisor restarts it from `current`. A reloader killed before that master was ready left the
// link: the next one adopted the master and took the link as what the workers run, so when the master
// refused the adoption reload, `current` went "back" to a snapshot that master never ran (found by a
// review; the link was removed before a start afresh, not before a restart). A stand-in haproxy sleeps in
// the switch's re-execution (the master is killed then) and in the restart (the reloader is killed then).
import assert from "node:assert/strict";
import { access, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { readReloadCounter, waitFor } from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { startServingApp } from "./helpers/adopt-scenario.ts";
import { killIfHaproxy, reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

test("after a reloader killed while it restarted HAProxy, a refused adoption reload points `current` at what the workers run", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.0.155", "127.0.0.156"], { deferStart: true }, "web");
  const stand = await reexecHaproxy(fixture.dir, { sleepSeconds: 3, addBad: true, slowStartSeconds: 3 });
  const { reloader: first, masterPid } = await startServingApp(t, fixture, ["--haproxy-bin", stand.bin]);

  // The switch's reload: the master re-executes (the stand-in takes its flag) and is killed asleep.
  await writeFile(stand.flag, "");
  await writeFile(stand.slowStart, "");
  await fixture.write(appAndWebFiles(app.address, web.address));
  const gone = (path: string) => async () =>
    access(path).then(
      () => false,
      () => true,
    );
  await waitFor(gone(stand.flag), { timeoutMs: 10_000, message: "the switch's reload" });
  process.kill(masterPid, "SIGKILL");
  // The restart from `current`: the reloader is killed while the new master sleeps before it starts.
  const restarted = await first.waitForEvent("haproxy.started", {
    timeoutMs: 15_000,
    match: (line) => line["reason"] === "restart",
  });
  await waitFor(gone(stand.slowStart), { timeoutMs: 10_000, message: "the restart's sleep" });
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  // What the restart loads (the change's retry may have moved `current` on while HAProxy was down).
  const restartedFrom = await readlink(join(fixture.stateDir, "current"));
  const newPid = Number(restarted["pid"]);
  t.after(() => killIfHaproxy(newPid));
  await waitFor(async () => (await readReloadCounter(fixture.stateDir, 1000).catch(() => null))?.workerPid, {
    timeoutMs: 15_000,
    message: "the restarted master serves",
  });
  assert.ok(await routesTo(fixture.url, "www.dev.tld", "web")(), "it runs the switch's snapshot");

  // The next reloader adopts it; the master refuses the adoption reload.
  await writeFile(stand.bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(stand.flag, "");
  const second = await fixture.start(["--haproxy-bin", stand.bin]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], newPid);
  const failed = await second.waitForEvent("adopt.reload-failed", { timeoutMs: 20_000 });
  assert.equal(failed["kind"], "rejected");
  assert.equal(
    `gen-${String(failed["keptGeneration"])}`,
    restartedFrom,
    "pointed back at what the workers run",
  );
  assert.equal(await readlink(join(fixture.stateDir, "current")), restartedFrom);
  assert.ok(await routesTo(fixture.url, "www.dev.tld", "web")(), "the adopted workers still serve it");
});
