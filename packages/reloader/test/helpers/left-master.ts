// Masters a SIGKILLed reloader left running, for tests of the reloader started after it.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import type { TestContext } from "node:test";
import { haproxyMasters } from "@rancher-haproxy/test-support";
import { createFixture, type Fixture } from "./fixture.ts";
import { killIfHaproxy, reexecHaproxy, reexecutionHeld, type ReexecHaproxy } from "./reexec-haproxy.ts";

// The pid of the master a reloader of `fixture` (started with `args`, ready, then SIGKILLed and reaped)
// left running; SIGKILLed at the test's end if it is still an HAProxy.
export async function leftMaster(t: TestContext, fixture: Fixture, args: string[] = []): Promise<number> {
  const first = await fixture.start(args);
  await first.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const [master] = haproxyMasters(fixture.stateDir);
  assert.ok(master !== undefined, "the first reloader's master");
  t.after(() => killIfHaproxy(master));
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  return master;
}

// A fixture whose killed reloader left a master (running a gated reexecHaproxy, `stand`) re-executing for
// the reload it had sent (SIGUSR2): held at the gate, silent on its master CLI until the test opens it.
export async function reexecutingLeftMaster(
  t: TestContext,
): Promise<{ fixture: Fixture; stand: ReexecHaproxy; master: number }> {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const stand = await reexecHaproxy(fixture.dir, { gated: true });
  const master = await leftMaster(t, fixture, ["--haproxy-bin", stand.bin]);
  await writeFile(stand.flag, "");
  process.kill(master, "SIGUSR2");
  await reexecutionHeld(stand);
  return { fixture, stand, master };
}
