// A stop whose SIGUSR1 comes while a reload HAProxy then refuses is in flight: the master re-executes,
// loses the signal (HAProxy 2.6), fails to load the new config and keeps the old worker, which would serve
// through the stop until its SIGTERM. A stop knows the workers its SIGUSR1 surely reaches only while no
// reload is in flight (settled-workers.ts): here the watch must soft-stop that old worker again once the
// master answers. Had the old worker, known from before the reload, counted as reached, it never would.
// The master's re-execution goes through a stand-in (reexec-haproxy.ts) held until the test opens a FIFO,
// past --reload-timeout, so the SIGUSR1 the reload's end sends at once is lost too.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { waitFor } from "@rancher-haproxy/test-support";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { MasterReloads } from "../src/haproxy/master-reloads.ts";
import { OldWorkerCount } from "../src/haproxy/old-worker-count.ts";
import { SettledWorkers } from "../src/haproxy/settled-workers.ts";
import { stopHaproxy } from "../src/haproxy/stop-haproxy.ts";
import { quietSupervisorOptions } from "./helpers/quiet-supervisor-options.ts";
import { openGate, reexecHaproxy, reexecutionHeld } from "./helpers/reexec-haproxy.ts";
import { accepts, tcpMasterWithStream } from "./helpers/tcp-master-with-stream.ts";

// A master on the gated stand-in with a stream on its worker, its `show proc` before any reload, and a
// reload of a bad config (refused) started through MasterReloads sharing `settled`, its re-execution held
// at the gate; `stop` flips what MasterReloads asks about a stop.
async function heldRefusedReload(t: TestContext, prefix: string, settled: SettledWorkers) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stand = await reexecHaproxy(dir, { addBad: true, gated: true });
  await writeFile(stand.bad, "frontend broken\n  bind 127.0.0.1:notaport\n");
  const { child, layout, port } = await tcpMasterWithStream(t, dir, stand.bin);
  // A gate the test never opened (a failure before it) would hold the stand-in, and the master, for ever.
  t.after(() => (child.isAlive() ? openGate(stand) : undefined));
  const before = await readProc(layout.masterSocket);
  assert.ok(before !== null && before.workers.length === 1, "show proc lists the worker");
  settled.note(before);

  let stopped = false;
  const options = { ...quietSupervisorOptions(stand.bin, layout), reloadTimeoutMs: 1000 };
  const reloads = new MasterReloads(new OldWorkerCount(), options, () => stopped, settled);
  await writeFile(stand.flag, "");
  const reload = reloads.reloadOnce(child, null);
  await reexecutionHeld(stand);
  const stop = () => {
    stopped = true;
  };
  return { stand, child, layout, port, before, options, reload, stop };
}

// The gate opened: the re-execution fails on the bad config and the master keeps the old worker; the
// stop's watch must soft-stop it (nothing listens then), while its stream keeps the master alive.
async function refusedThenSoftStopped(held: Awaited<ReturnType<typeof heldRefusedReload>>, what: string) {
  const { stand, child, layout, port } = held;
  await openGate(stand);
  await waitFor(async () => ((await readProc(layout.masterSocket))?.failed ?? 0) > 0 || undefined, {
    timeoutMs: 10_000,
    message: "the master refused the reload",
  });
  await waitFor(async () => (await accepts(port)) === false || undefined, {
    timeoutMs: 10_000,
    message: what,
  });
  assert.equal(child.isAlive(), true, "the master waits for the old worker's stream");
}

test("a stop during a reload the master then refuses: its old worker is soft-stopped once the master answers", async (t) => {
  // The master answered, nothing in flight: its worker counts as reached by a stop's SIGUSR1 now, until
  // the reload forgets it.
  const settled = new SettledWorkers();
  const held = await heldRefusedReload(t, "rh-stop-refused-", settled);
  assert.equal(settled.known(), null, "a reload in flight: nothing known to be reached");

  // The stop comes during the re-execution, as its own stop would: with what it knows settled now.
  held.stop();
  const { child, layout, options } = held;
  const stop = stopHaproxy(child, 60_000, options.logger, layout.masterSocket, settled.known());
  t.after(() => stop);
  const { verdict, sent } = await held.reload;
  assert.equal(verdict.ok ? null : verdict.kind, "timeout", "not confirmed in time: still re-executing");
  assert.equal(sent, true);
  assert.equal(child.isAlive(), true, "the master survives the signals it lost");
  await refusedThenSoftStopped(held, "the old worker soft-stopped: nothing listens during the stop");
});

// The watch marks a worker reached when it sends SIGUSR1, not when the signal lands: a master that
// answered, then re-executed for a reload it refuses before the signal came, lost it and keeps that
// worker. The stop here starts from the worker and reload count of the answer before the re-execution, as
// such a watch would have them; the master's next answer counts one more reload, so the worker gets
// SIGUSR1 again. Until a change the same day only a worker never signalled got it, and this one served on.
test("a stop's watch soft-stops again once the master counts one more reload, though its workers are the same", async (t) => {
  const held = await heldRefusedReload(t, "rh-stop-recount-", new SettledWorkers());
  const { child, layout, options, before } = held;
  held.stop();
  const settled = { pids: before.workers.map((worker) => worker.pid), reloads: before.reloads };
  const stop = stopHaproxy(child, 60_000, options.logger, layout.masterSocket, settled);
  t.after(() => stop);
  await held.reload;
  assert.equal(child.isAlive(), true, "the master survives the signals it lost");
  await refusedThenSoftStopped(held, "the old worker soft-stopped again: nothing listens during the stop");
  const after = await readProc(layout.masterSocket);
  assert.deepEqual(
    after?.workers.map((worker) => worker.pid),
    settled.pids,
    "the refused reload kept the same worker",
  );
});
