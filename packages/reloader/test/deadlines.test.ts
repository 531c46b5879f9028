// The reloader's own deadlines (a reload's confirmation, a stale master's grace period) are timed on the
// monotonic clock: a wall clock stepped back an hour by NTP while one runs neither stretches it by the hour.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { createServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { createLogger } from "@rancher-haproxy/core";
import { waitFor } from "@rancher-haproxy/test-support";
import {
  isOurMaster,
  isSameProcessAlive,
  isSameProcessGone,
  viewProcess,
} from "../src/adopt/process-table.ts";
import { retireStaleMaster } from "../src/adopt/retire-stale-master.ts";
import { waitUntilReady } from "../src/haproxy/confirm-reload.ts";

const HOUR = 3_600_000;

// Steps the process's wall clock (Date.now) `offsetMs` off the real one for the rest of the test.
function stepWallClock(t: TestContext, offsetMs: number): void {
  const real = Date.now.bind(Date);
  t.mock.method(Date, "now", () => real() + offsetMs);
}

// What `work` resolved to, or "stalled" when it did not within `ms` (of the monotonic clock).
async function within<T>(ms: number, work: Promise<T>): Promise<T | "stalled"> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      work,
      delay(ms, "stalled" as const, { signal: timer.signal }).catch(() => "stalled" as const),
    ]);
  } finally {
    timer.abort();
  }
}

test("a confirmation whose master never answers times out after its timeout, a wall clock stepped back meanwhile", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rl-deadline-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let polls = 0;
  const verdict = waitUntilReady({
    socketPath: join(dir, "master.sock"), // nothing listens: every show proc fails
    timeoutMs: 300,
    pollMs: 20,
    isAlive: () => {
      polls += 1;
      if (polls === 1) stepWallClock(t, -HOUR);
      return true;
    },
  });
  const outcome = await within(3000, verdict);
  assert.ok(outcome !== "stalled", "the confirmation waited for the wall clock to catch up");
  assert.equal(outcome.ok ? "ok" : outcome.kind, "timeout");
});

// Captured from HAProxy 2.6.12's master CLI (master 4243, its worker 4244).
const PROC = `#<PID>          <type>          <reloads>       <uptime>        <version>
4243            master          0 [failed: 0]   0d00h00m03s     2.6.12-1+deb12u4
# workers
4244            worker          0               0d00h00m03s     2.6.12-1+deb12u4
# programs

`;

test("a new master is ready only when the master answering on the socket is that one", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rl-ready-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socketPath = join(dir, "master.sock");
  // Another master (4243) answers on the socket path.
  const other = createServer((socket) => socket.end(PROC));
  await new Promise<void>((resolve) => other.listen(socketPath, resolve));
  // (close() without waiting: its callback waits for the client's last half-closed connection.)
  t.after(() => {
    other.close();
  });
  // Another master's answer never confirms: 300 ms of them is enough to show it. The expected one is
  // waited for longer: one stall of this process past a poll's 500 ms (a loaded machine) failed it.
  const ask = (masterPid: number, timeoutMs: number) =>
    waitUntilReady({ socketPath, timeoutMs, pollMs: 20, isAlive: () => true, masterPid });
  const notIt = await ask(9999, 300);
  assert.equal(notIt.ok ? "ok" : notIt.kind, "timeout", "another master's worker is not the new one's");
  const it = await ask(4243, 10_000);
  assert.ok(it.ok && it.workerPid === 4244);
});

test("a stale master that ignores SIGTERM gets SIGKILL after the grace period, a wall clock stepped back meanwhile", async (t) => {
  const child = spawn("sh", ["-c", "trap '' TERM; while :; do sleep 1; done"], { stdio: "ignore" });
  t.after(() => child.kill("SIGKILL"));
  const pid = child.pid ?? assert.fail("spawned");
  // The trap is set once /proc shows SIGTERM (bit 14) ignored; a SIGTERM before would end the shell.
  await waitFor(
    async () => {
      const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
      return mask !== undefined && (BigInt(`0x${mask}`) & 0x4000n) !== 0n;
    },
    { timeoutMs: 10_000, message: "the shell's SIGTERM trap" },
  );
  const startTime = viewProcess(pid)?.startTime ?? assert.fail("the process runs");
  const logger = createLogger({ name: "test", level: "silent", format: "json" });
  const retired = retireStaleMaster(pid, startTime, logger, 500);
  await delay(100);
  assert.ok(isSameProcessAlive(pid, startTime), "SIGTERM is ignored");
  stepWallClock(t, -HOUR);
  assert.notEqual(await within(3000, retired), "stalled", "the grace period waited for the wall clock");
  assert.equal(isSameProcessAlive(pid, startTime), false);
});

test("an adopted master is gone only on proof: a /proc read that fails for another reason (EMFILE) is not", (t) => {
  const own = viewProcess(process.pid) ?? assert.fail("this process is in /proc");
  assert.equal(isSameProcessGone(process.pid, own.startTime), false);
  assert.equal(isSameProcessGone(process.pid, `${own.startTime}1`), true, "another incarnation");
  assert.equal(isSameProcessGone(2 ** 22 + 1, own.startTime), true, "no such pid");
  const real = fs.readFileSync;
  t.mock.method(fs, "readFileSync", (...args: Parameters<typeof real>) => {
    if (String(args[0]).startsWith("/proc/")) throw Object.assign(new Error("EMFILE"), { code: "EMFILE" });
    return real(...args);
  });
  syncBuiltinESMExports();
  t.after(() => {
    t.mock.restoreAll();
    syncBuiltinESMExports();
  });
  assert.equal(isSameProcessGone(process.pid, own.startTime), false, "EMFILE proves nothing");
});

test("a master of ours is known by -W and this state dir's master socket, whatever its binary is named", () => {
  const view = { pid: 1, state: "S", ppid: 0, startTime: "1" };
  const argv = ["-W", "-S", "/state/master.sock,level,admin", "-f", "/state/current/haproxy.cfg"];
  assert.equal(isOurMaster({ ...view, argv: ["/usr/sbin/haproxy", ...argv] }, "/state/master.sock"), true);
  assert.equal(isOurMaster({ ...view, argv: ["/opt/lb/bin/lb", ...argv] }, "/state/master.sock"), true);
  assert.equal(isOurMaster({ ...view, argv: ["/usr/sbin/haproxy", ...argv] }, "/other/master.sock"), false);
  assert.equal(
    isOurMaster({ ...view, argv: ["/usr/sbin/haproxy", "-S", "/state/master.sock"] }, "/state/master.sock"),
    false,
  );
  assert.equal(isOurMaster({ ...view, argv: [] }, "/state/master.sock"), false, "a master re-executing");
});
