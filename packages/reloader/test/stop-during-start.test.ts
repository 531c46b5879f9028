// A stop that arrives while the reloader is still starting, before any HAProxy runs, abandons the start:
// here the metadata service accepts the connection for the syslog target (SYSLOG_HOST unset) and never
// answers. Before, the stop waited for the read's 5 s timeout, then HAProxy was started only to be
// stopped again; `docker stop`'s 10 s could run out when the start held more such waits. A reloader
// restarted while HAProxy runs is different: it adopts the master whatever comes, then stops it gracefully.
import assert from "node:assert/strict";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createServer, type Server, type Socket } from "node:net";
import { test, type TestContext } from "node:test";
import {
  haproxyMasters,
  openStream,
  renderTestBackends,
  renderTestMap,
  startBackend,
  waitFor,
  type ReloaderProcess,
} from "@rancher-haproxy/test-support";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { leftMaster, reexecutingLeftMaster } from "./helpers/left-master.ts";
import { openGate } from "./helpers/reexec-haproxy.ts";

// True once /proc shows the process catching SIGHUP (bit 0 of SigCgt): the CLI's stop handlers are set.
async function catchesSighup(pid: number): Promise<true | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n ? true : undefined;
}

// A listener (on 127.0.0.1, or on the unix socket `path`) that accepts connections and never answers;
// `held` are its connections.
async function silentListener(t: TestContext, path?: string): Promise<{ server: Server; held: Socket[] }> {
  const held: Socket[] = [];
  const server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) =>
    path === undefined ? server.listen(0, "127.0.0.1", resolve) : server.listen(path, resolve),
  );
  t.after(() => {
    for (const socket of held) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, held };
}

// A metadata service that accepts connections and never answers; `held` are its connections.
async function silentMetadata(t: TestContext): Promise<{ host: string; held: Socket[] }> {
  const { server, held } = await silentListener(t);
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return { host: `127.0.0.1:${address.port}`, held };
}

// Waits until `pid` takes a stop and a read of its start (`what`) hangs on a silent listener's `held`.
async function waitInSilentRead(pid: number, held: Socket[], what: string): Promise<void> {
  await waitFor(() => catchesSighup(pid), { timeoutMs: 10_000, message: "the stop handlers" });
  await waitFor(() => (held.length > 0 ? true : undefined), { timeoutMs: 10_000, message: what });
}

// A reloader SIGKILLed once ready (as the entrypoint's restart finds it during a stop), then a second one
// on the same state dir (--stop-timeout 20s, `env` on top) held in its start's silent metadata read for the
// syslog target: the master the first left running (its pid) is still to be adopted.
async function restartedInSilentRead(
  t: TestContext,
  env: Record<string, string> = {},
): Promise<{ fixture: Fixture; master: number; second: ReloaderProcess }> {
  const metadata = await silentMetadata(t);
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const first = await fixture.start();
  await first.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const [master] = haproxyMasters(fixture.stateDir);
  assert.ok(master !== undefined);
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  const second = await fixture.start(["--stop-timeout", "20s"], {
    SYSLOG_HOST: "",
    RANCHER_API_HOST: metadata.host,
    ...env,
  });
  await waitInSilentRead(second.pid, metadata.held, "the metadata read for the syslog target");
  return { fixture, master, second };
}

// A --config and a --haproxy-bin wrapper around the real binary that records its first argument in each
// call (`calls()`, "" while it never ran): its flags are `args`.
async function loggingHaproxy(fixture: Fixture): Promise<{ args: string[]; calls: () => Promise<string> }> {
  const calls = join(fixture.dir, "calls");
  const bin = join(fixture.dir, "logging-haproxy");
  await writeFile(bin, `#!/bin/sh\necho "$1" >> '${calls}'\nexec /usr/sbin/haproxy "$@"\n`);
  await chmod(bin, 0o755);
  const config = join(fixture.dir, "user.cfg");
  await writeFile(config, "global\n");
  return {
    args: ["--config", config, "--haproxy-bin", bin],
    calls: () => readFile(calls, "utf8").catch(() => ""),
  };
}

test("SIGTERM while the start waits for metadata ends it at once: exit 0, no HAProxy started", async (t) => {
  const metadata = await silentMetadata(t);
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const reloader = await fixture.start([], { SYSLOG_HOST: "", RANCHER_API_HOST: metadata.host });
  await waitInSilentRead(reloader.pid, metadata.held, "the metadata read for the syslog target");

  const exit = await reloader.stop({ signal: "SIGTERM", timeoutMs: 15_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = reloader.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "syslog target");
  assert.deepEqual(reloader.haproxyPids(), [], "no HAProxy was started");
  assert.equal(reloader.count("syslog.target"), 0, "the read was abandoned, not waited for");
});

// The start completes first (its read waits out its 5 s), so the stop's budget is timed from the signal:
// until 2026-12-05 the running reloader's stop was given the whole --stop-timeout again from there (with
// the image's 6 s, up to 5 s + 6 s + 3 s to the SIGKILL, past Docker's 10 s stop grace). `haproxy.stopping`
// logs the soft stop's budget; with the time since `reloader.shutdown` (the signal) it is --stop-timeout.
// Until 2026-12-05 the adoption reloaded the master first (a whole parse on the stop's budget; a master
// whose reloader was killed during its stop had soft-stopped, and its new worker listened again).
test("SIGTERM while a restarted reloader's start waits for metadata: the running master is adopted without a reload and stopped gracefully, within --stop-timeout from the signal", async (t) => {
  const { fixture, master, second } = await restartedInSilentRead(t);
  const exit = await second.stop({ signal: "SIGTERM", timeoutMs: 40_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(second.count("start.abandoned"), 0, "not abandoned: a master runs");
  const adopted = second.logs.find((line) => line.event === "haproxy.adopted");
  assert.equal(adopted?.["pid"], master);
  assert.equal(second.count("adopt.reloaded") + second.count("adopt.reload-failed"), 0, "not reloaded");
  const skipped = second.logs.find((line) => line.event === "adopt.reload-skipped");
  assert.equal(skipped?.["pid"], master, "the skipped reload is logged");
  assert.equal(second.count("reload.planned"), 0, "nor by the first pass");
  assert.equal(second.count("haproxy.stopped"), 1, "stopped gracefully");
  const shutdown = second.logs.find((line) => line.event === "reloader.shutdown");
  const stopping = second.logs.find((line) => line.event === "haproxy.stopping");
  assert.equal(stopping?.["pid"], master, "the adopted master is stopped");
  const budget = stopping?.["timeoutMs"];
  assert.ok(typeof budget === "number", "haproxy.stopping logs its budget");
  // Both times from the log's millisecond clock: what passed from the signal to the soft stop.
  const sinceSignal = Date.parse(String(stopping?.["time"])) - Date.parse(String(shutdown?.["time"]));
  assert.ok(sinceSignal >= 0, `the soft stop after the signal (${sinceSignal} ms)`);
  assert.ok(
    budget + sinceSignal <= 20_000 + 50,
    `soft stop given ${budget} ms ${sinceSignal} ms after the signal: more than --stop-timeout 20s in all`,
  );
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left behind");
});

// The master a killed reloader soft-stopped (SIGUSR1 in its stop) ends once its last connection does: here
// a stream through it, closed while the restarted reloader, given the stop, waits for metadata, so the
// master is gone when it is adopted. Until 2026-12-05 that end was taken for a crash during the stop:
// `haproxy.exited` ("HAProxy exited unexpectedly", an error) and `haproxy.restarting`, a new master 0.5 s
// later when the stop had not reached the supervisor by then.
test("SIGTERM while a restarted reloader's start waits for metadata, its soft-stopped master ending meanwhile: no unexpected exit, no restart, exit 0", async (t) => {
  const metadata = await silentMetadata(t);
  const app = await startBackend({ name: "app", host: "127.0.0.81" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    deferStart: true,
    waitReady: false,
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const first = await fixture.start();
  await first.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const [master] = haproxyMasters(fixture.stateDir);
  assert.ok(master !== undefined);
  const stream = await openStream({ url: fixture.url, host: "app.dev.tld" });
  t.after(() => stream.close());
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  process.kill(master, "SIGUSR1"); // what the killed reloader's stop had sent

  const second = await fixture.start(["--stop-timeout", "20s"], {
    SYSLOG_HOST: "",
    RANCHER_API_HOST: metadata.host,
  });
  await waitInSilentRead(second.pid, metadata.held, "the metadata read for the syslog target");
  const exited = second.stop({ signal: "SIGTERM", timeoutMs: 40_000 });
  stream.close();
  await waitFor(() => (haproxyMasters(fixture.stateDir).length === 0 ? true : undefined), {
    timeoutMs: 10_000,
    message: "the soft-stopped master's end once its stream closed",
  });
  // The case under test: gone before its adoption (which comes once the read's 5 s have run out), not
  // ended by the stop's own SIGUSR1, which passed on the code before the fix too.
  assert.equal(second.count("haproxy.adopted"), 0, "the master ended before its adoption");
  assert.deepEqual(await exited, { code: 0, signal: null });
  const skipped = second.logs.find((line) => line.event === "adopt.reload-skipped");
  assert.equal(skipped?.["pid"], master, "adopted (gone by then) without a reload");
  assert.equal(second.count("haproxy.exited"), 0, "its end during the stop is no crash");
  assert.equal(second.count("haproxy.restarting"), 0, "nor restarted");
  assert.equal(second.count("haproxy.started"), 0, "no new master");
  assert.equal(second.count("haproxy.stopping"), 0, "no HAProxy left for the stop (README: Reloader killed)");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left behind");
});

// A start a stop came during that then fails by itself: here a restarted reloader (its start is not
// abandoned: a master runs) with ENABLE_SSL, no certificate and the metadata service silent. Until
// 2026-12-05 the CLI took the failed start's own shutdown for a second signal: `reloader.killed-haproxy`,
// "second signal during the start: HAProxy killed", though neither came.
test("SIGTERM during a restarted reloader's start that then fails by itself: its exit code, the master stopped gracefully, no second-signal line", async (t) => {
  const { fixture, master, second } = await restartedInSilentRead(t, { ENABLE_SSL: "true" });
  const exit = await second.stop({ signal: "SIGTERM", timeoutMs: 40_000 });
  assert.deepEqual(exit, { code: 2, signal: null }, "the failed start's code (2: no usable certificate)");
  const failed = second.logs.find((line) => line.event === "reloader.start-failed");
  assert.match(String(failed?.["err"]), /metadata service could not be read/);
  assert.equal(second.count("start.abandoned"), 0, "not abandoned: a master runs");
  assert.equal(second.count("reloader.killed-haproxy"), 0, "no second signal came");
  const stopping = second.logs.find((line) => line.event === "start.stopping-haproxy");
  assert.equal(stopping?.["pid"], master, "the left master is stopped");
  assert.equal(second.count("haproxy.stopped"), 1, "gracefully");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left behind");
});

// True while `pid` still sleeps as the wrapper's `sleep` does (not gone, nor killed: exiting or a zombie).
async function sleeps(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] === "S";
}

// With a --config, the start reads `--haproxy-bin -vv` first (bf7e363), given 10 s. Until 2026-12-05 a stop
// then waited for it: a binary that hangs held the stop for those 10 s, then the start went on to its next
// step and was abandoned there. (The 15 s only lets the old code reach that step.)
test("SIGTERM while the start waits for haproxy -vv ends it at once: exit 0, the binary's group killed", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const pids = join(fixture.dir, "vv.pid");
  const bin = join(fixture.dir, "hung-haproxy");
  await writeFile(bin, `#!/bin/sh\nsleep 600 &\necho $! > '${pids}'\nwait\n`);
  await chmod(bin, 0o755);
  const config = join(fixture.dir, "user.cfg");
  await writeFile(config, "global\n");
  t.after(async () => {
    const pid = Number((await readFile(pids, "utf8").catch(() => "")).trim());
    if (pid > 0 && (await sleeps(pid))) process.kill(pid, "SIGKILL");
  });
  const reloader = await fixture.start(["--config", config, "--haproxy-bin", bin]);
  await waitFor(() => catchesSighup(reloader.pid), { timeoutMs: 10_000, message: "the stop handlers" });
  const child = await waitFor(
    async () => Number((await readFile(pids, "utf8").catch(() => "")).trim()) || undefined,
    { timeoutMs: 10_000, message: "haproxy -vv's child" },
  );

  const exit = await reloader.stop({ signal: "SIGTERM", timeoutMs: 15_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = reloader.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "haproxy -vv");
  assert.equal(reloader.count("haproxy.build-unread"), 0, "the read was abandoned, not waited for");
  assert.equal(await sleeps(child), false, "the hung binary's child still runs");
  assert.deepEqual(reloader.haproxyPids(), [], "no HAProxy was started");
});

// A fixture whose reloader was SIGKILLed, leaving its master stopped (SIGSTOP): its master CLI is silent,
// so the next start (with `args`) waits for it (adopt.waiting), then finds it stale; killed at the end.
async function silentLeftMaster(t: TestContext): Promise<{ fixture: Fixture; args: string[] }> {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const args = ["--reload-timeout", "1s", "--stop-timeout", "1s"];
  const master = await leftMaster(t, fixture, args);
  process.kill(master, "SIGSTOP");
  return { fixture, args };
}

// A stop while the start waits for a silent master of this state dir (stopped: SIGSTOP) ends that wait
// (stage "silent master"), and the abandoned start stops that master: soft stop, SIGTERM, SIGKILL. Until
// 2026-12-05 the wait went on for --reload-timeout + 5 s (15 s by default, past Docker's 10 s stop grace)
// and the start was abandoned at its next step; with --reload-timeout 60s the old code is still waiting
// when the 30 s guard kills it. Before 0668f52, node ended during the wait after the SIGKILL (only an
// unref'd poll watched the master): exit 13, no `haproxy.stopped`.
test("SIGTERM while a start waits for a silent master ends the wait, not after --reload-timeout: exit 0, abandoned at 'silent master', the master killed", async (t) => {
  const { fixture } = await silentLeftMaster(t);
  const [master] = haproxyMasters(fixture.stateDir);

  const second = await fixture.start(["--reload-timeout", "60s", "--stop-timeout", "1s"]);
  const waiting = await second.waitForEvent("adopt.waiting", { timeoutMs: 20_000 });
  assert.equal(waiting["pid"], master);
  const exit = await second.stop({ signal: "SIGTERM", timeoutMs: 30_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = second.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "silent master");
  assert.equal(second.count("haproxy.stale"), 0, "the wait ran out: the master was judged stale");
  const stopping = second.logs.find((line) => line.event === "start.stopping-haproxy");
  assert.equal(stopping?.["pid"], master, "the abandoned start stops the silent master");
  assert.equal(second.count("haproxy.stopped"), 1, "the silent master's stop was seen to its end");
  assert.equal(second.count("haproxy.started"), 0, "no HAProxy was started");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "the silent master was stopped, none is left");
});

// A stop while the start waits for a master re-executing for its killed reloader's reload (held by a gated
// reexecHaproxy): the abandoned start's soft stop (stop-left-master.ts) lands during the re-execution,
// which HAProxy 2.6 loses (c7a6b0f). Once the master answers, SIGUSR1 goes out again; until 2026-12-06 the
// reload's new worker listened and served until --stop-timeout's SIGTERM (haproxy.stop-timeout).
test("SIGTERM while a start waits for a re-executing master: its new worker is soft-stopped once the master answers", async (t) => {
  const { fixture, stand, master } = await reexecutingLeftMaster(t);

  const args = ["--haproxy-bin", stand.bin, "--reload-timeout", "60s", "--stop-timeout", "15s"];
  const second = await fixture.start(args);
  await second.waitForEvent("adopt.waiting", { timeoutMs: 20_000 });
  const exited = second.stop({ signal: "SIGTERM", timeoutMs: 40_000 });
  assert.equal((await second.waitForEvent("start.stopping-haproxy"))["pid"], master);
  await second.waitForEvent("haproxy.stopping");
  await openGate(stand);
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.equal(second.count("haproxy.stop-timeout"), 0, "no worker served until --stop-timeout");
  assert.equal(second.count("haproxy.stopped"), 1);
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
});

// With a --config, a stop while the start waits for a silent master ends that wait too, and
// `--haproxy-bin -vv` is never run: until 2026-12-05 (41724e5, 7e692d2) it was started after the stop, only
// to be killed at exit; after a3052fd the start was abandoned before it, named "haproxy -vv", but only once
// the wait had run out.
test("SIGTERM while a start with --config waits for a silent master: abandoned at 'silent master', haproxy -vv never runs", async (t) => {
  const { fixture, args } = await silentLeftMaster(t);
  const haproxy = await loggingHaproxy(fixture);

  const second = await fixture.start([...args, ...haproxy.args]);
  await second.waitForEvent("adopt.waiting", { timeoutMs: 20_000 });
  const exit = await second.stop({ signal: "SIGTERM", timeoutMs: 30_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = second.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "silent master");
  assert.equal(await haproxy.calls(), "", "--haproxy-bin ran after the stop");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "the stale master was stopped, none is left");
});

// A stop that comes before the start's first question to a silent master has its answer (a SIGSTOPped
// master's socket takes the connection and never answers: 2 s) ends the start then, and the left master
// is stopped with what is left of --stop-timeout since the signal. Until 2026-12-05 it got the whole
// --stop-timeout again from there: with the image's 6 s, the question's 2 s + 6 s + 3 s to the SIGKILL
// ended past Docker's 10 s stop grace (`haproxy.stopping` logs the soft stop's budget: it was 4000 here).
test("SIGTERM during a start's first question to a silent master: the left master's --stop-timeout is timed from the signal", async (t) => {
  const { fixture } = await silentLeftMaster(t);
  const [master] = haproxyMasters(fixture.stateDir);

  const second = await fixture.start(["--reload-timeout", "60s", "--stop-timeout", "4s"]);
  await waitFor(() => catchesSighup(second.pid), { timeoutMs: 10_000, message: "the stop handlers" });
  const exit = await second.stop({ signal: "SIGTERM", timeoutMs: 30_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(second.count("adopt.waiting"), 0, "the stop came after the first question (test set-up)");
  const abandoned = second.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "silent master");
  const stopping = second.logs.find((line) => line.event === "haproxy.stopping");
  assert.equal(stopping?.["pid"], master, "the abandoned start stops the silent master");
  const budget = stopping?.["timeoutMs"];
  assert.ok(
    typeof budget === "number" && budget < 4000,
    `soft stop given ${String(budget)} ms, not 4000 less the question's wait`,
  );
  assert.equal(second.count("haproxy.stopped"), 1, "the silent master's stop was seen to its end");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "the silent master was stopped, none is left");
});

// A fixture whose state dir's master socket is held by a listener that never answers, with no master of
// ours behind it: the start's question there (`show proc`) waits for its 2 s timeout, then finds nothing
// to adopt and goes on. `held` are the listener's connections: one is there while the question waits.
async function silentMasterSocket(t: TestContext): Promise<{ fixture: Fixture; held: Socket[] }> {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  await mkdir(fixture.stateDir, { mode: 0o700 });
  const { held } = await silentListener(t, join(fixture.stateDir, "master.sock"));
  return { fixture, held };
}

// A stop that came before a step of the start, while no master was there to adopt, is named by that step:
// without a --config it is the syslog target's read (41724e5 named it "haproxy -vv", a read that never
// runs then, until 7e692d2).
test("SIGTERM while a start without --config asks a master socket nobody serves: abandoned at the syslog target", async (t) => {
  const { fixture, held } = await silentMasterSocket(t);

  const reloader = await fixture.start();
  await waitInSilentRead(reloader.pid, held, "show proc on the master socket");
  const exit = await reloader.stop({ signal: "SIGTERM", timeoutMs: 15_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = reloader.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "syslog target");
  assert.deepEqual(reloader.haproxyPids(), [], "no HAProxy was started");
});

// With a --config, such a stop is named "haproxy -vv" and -vv is not spawned (until a3052fd it was,
// after the stop, only to be killed at exit).
test("SIGTERM while a start with --config asks a master socket nobody serves: abandoned before haproxy -vv runs", async (t) => {
  const { fixture, held } = await silentMasterSocket(t);
  const haproxy = await loggingHaproxy(fixture);

  const reloader = await fixture.start(haproxy.args);
  await waitInSilentRead(reloader.pid, held, "show proc on the master socket");
  const exit = await reloader.stop({ signal: "SIGTERM", timeoutMs: 15_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = reloader.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "haproxy -vv");
  assert.equal(await haproxy.calls(), "", "--haproxy-bin ran after the stop");
  assert.deepEqual(reloader.haproxyPids(), [], "no HAProxy was started");
});
