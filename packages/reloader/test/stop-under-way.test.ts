// RELOADER_STOP_UNDER_WAY, set by the image's entrypoint on a reloader it starts while a stop is under
// way: the reloader stops the master a killed reloader left at once, without a reload, a metadata read or
// `haproxy -c`, and starts no HAProxy when none runs. Before, the variable did not exist: the entrypoint
// passed the stop as a signal once the new reloader handled SIGHUP, after it had read metadata, run
// `haproxy -c` and, often, reloaded the master its killed reloader had soft-stopped.
import assert from "node:assert/strict";
import { chmod } from "node:fs/promises";
import { test } from "node:test";
import {
  haproxyMasters,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type ReloaderProcess,
} from "@rancher-haproxy/test-support";
import { createFixture } from "./helpers/fixture.ts";
import { leftMaster, reexecutingLeftMaster } from "./helpers/left-master.ts";
import { openGate } from "./helpers/reexec-haproxy.ts";

// The reloader's exit, or a failure after 20 s: before RELOADER_STOP_UNDER_WAY it started and ran on.
function exitOf(reloader: ReloaderProcess): Promise<Awaited<ReloaderProcess["exited"]>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error("the reloader did not exit within 20 s")), 20_000);
  });
  return Promise.race([reloader.exited, late]).finally(() => clearTimeout(timer));
}

test("RELOADER_STOP_UNDER_WAY with a bad value is refused: exit 2, one line naming it and the value", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const reloader = await fixture.start([], { RELOADER_STOP_UNDER_WAY: "SIGKILL" });
  assert.deepEqual(await exitOf(reloader), { code: 2, signal: null });
  const refusals = reloader.logs.filter((line) => line.raw?.startsWith("reloader: ") === true);
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]?.raw ?? "", /RELOADER_STOP_UNDER_WAY="SIGKILL"/);
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy started");
});

test("a stop under way with no master left: exit 0, no HAProxy started, no metadata read", async (t) => {
  const metadata = await startMetadataServer({ tree: remapIps(loadRecordedTree()) });
  t.after(() => metadata.close());
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  // SYSLOG_HOST unset: a start reads agent_ip from metadata.
  const env = { RELOADER_STOP_UNDER_WAY: "SIGTERM", SYSLOG_HOST: "", RANCHER_API_HOST: metadata.hostPort };
  const reloader = await fixture.start([], env);
  assert.deepEqual(await exitOf(reloader), { code: 0, signal: null });
  assert.equal(reloader.count("haproxy.started"), 0);
  assert.equal(reloader.count("stop.nothing-running"), 1);
  const shutdown = reloader.logs.filter((line) => line.event === "reloader.shutdown");
  assert.deepEqual(
    shutdown.map((line) => line["reason"]),
    ["SIGTERM before this start (RELOADER_STOP_UNDER_WAY)"],
  );
  assert.equal(metadata.requests.count(), 0, "no metadata request");
  assert.deepEqual(haproxyMasters(fixture.stateDir), []);
});

test("a stop under way with a master left: adopted without a reload, stopped gracefully, no metadata read, exit 0", async (t) => {
  const metadata = await startMetadataServer({ tree: remapIps(loadRecordedTree()) });
  t.after(() => metadata.close());
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const master = await leftMaster(t, fixture);
  const env = { RELOADER_STOP_UNDER_WAY: "SIGINT", SYSLOG_HOST: "", RANCHER_API_HOST: metadata.hostPort };
  const second = await fixture.start([], env);
  const skipped = await second.waitForEvent("adopt.reload-skipped", { timeoutMs: 10_000 });
  assert.equal(skipped["pid"], master);
  assert.deepEqual(await exitOf(second), { code: 0, signal: null });
  const stopped = second.logs.filter((line) => line.event === "haproxy.stopped");
  assert.deepEqual(
    stopped.map((line) => line["pid"]),
    [master],
  );
  for (const event of ["adopt.reloaded", "start.snapshot", "check.passed", "haproxy.started"])
    assert.equal(second.count(event), 0, event);
  assert.equal(metadata.requests.count(), 0, "no metadata request");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
});

// A master its killed reloader left re-executing for a reload (silent on its master CLI): the stop's
// SIGUSR1 lands during the re-execution, which HAProxy 2.6 loses (c7a6b0f). Here the re-execution goes
// through a stand-in (reexecHaproxy, gated) that waits for the test. Once the master answers again,
// SIGUSR1 goes out once more; before, the reload's new worker listened and served until --stop-timeout's
// SIGTERM (haproxy.stop-timeout).
test("a stop under way while the master left re-executes: its new worker is soft-stopped once the master answers", async (t) => {
  // A reload the killed reloader had sent: the master re-executes, held at the gate.
  const { fixture, stand, master } = await reexecutingLeftMaster(t);

  const env = { RELOADER_STOP_UNDER_WAY: "SIGTERM" };
  const second = await fixture.start(["--haproxy-bin", stand.bin, "--stop-timeout", "15s"], env);
  await second.waitForEvent("haproxy.stopping", { timeoutMs: 10_000 });
  assert.equal(second.count("haproxy.adopted"), 0, "silent: not adopted through show proc");
  // The re-execution goes on: its new worker starts, and is soft-stopped once the master answers.
  await openGate(stand);
  assert.deepEqual(await exitOf(second), { code: 0, signal: null });
  assert.equal(second.count("haproxy.stop-timeout"), 0, "no worker served until --stop-timeout");
  const stopped = second.logs.filter((line) => line.event === "haproxy.stopped");
  assert.deepEqual(
    stopped.map((line) => line["pid"]),
    [master],
  );
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
});

// A stop under way whose state dir is refused (here made a shared directory, 1777, after the first reloader
// was SIGKILLed; a state dir gone read-only fails the same way): the master left running is still stopped
// gracefully (start.stopping-haproxy), as a start that fails does (stop-left-master.ts), and the exit is the
// refusal's. Before, it served on with no reloader until the container's end SIGKILLed it.
test("a stop under way whose state dir is refused still stops the master left running gracefully", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const master = await leftMaster(t, fixture);
  await chmod(fixture.stateDir, 0o1777);

  const second = await fixture.start([], { RELOADER_STOP_UNDER_WAY: "SIGTERM" });
  assert.deepEqual(await exitOf(second), { code: 2, signal: null });
  assert.match(String(second.logs.find((line) => line.event === "reloader.start-failed")?.["err"]), /shared/);
  assert.equal((await second.waitForEvent("start.stopping-haproxy"))["pid"], master);
  assert.equal(second.count("haproxy.stopped"), 1, "stopped gracefully");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
});
