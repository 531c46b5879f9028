// A stop waits for the applier's pass in flight at most half of what is left of --stop-timeout (at most
// --reload-timeout), then soft-stops the master (SIGUSR1: its listeners close, in-flight requests finish).
// A pass still running then (a slow `haproxy -c` of a large config) reached its switch once the check
// ended, and until 2026-12-06 sent `reload` to the soft-stopped master: HAProxy 2.6 re-executes and its new
// worker binds the ports and serves again in the middle of a container's stop, which then waits (or
// escalates) on a fresh worker. Here a wrapper holds the pass's `haproxy -c` until the test lets it go,
// after `haproxy.stopping`; a stream keeps the soft-stopped master alive meanwhile.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, chmod, mkdtemp, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import {
  freePort,
  haproxyMasters,
  openStream,
  readReloadCounter,
  waitFor,
} from "@rancher-haproxy/test-support";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { MasterReloads } from "../src/haproxy/master-reloads.ts";
import { OldWorkerCount } from "../src/haproxy/old-worker-count.ts";
import { reloadMaster } from "../src/haproxy/reload-master.ts";
import { haproxyArgs, spawnHaproxy } from "../src/haproxy/spawn-haproxy.ts";
import { stopHaproxy } from "../src/haproxy/stop-haproxy.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";
import { wrapperScripts } from "./helpers/wrapper-scripts.ts";
import { quietSupervisorOptions } from "./helpers/quiet-supervisor-options.ts";
import { accepts, tcpMasterWithStream } from "./helpers/tcp-master-with-stream.ts";

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

test("a pass whose haproxy -c ends after the stop's soft stop sends no reload: HAProxy does not listen again, `current` stays on what the workers run, the stop ends with exit 0", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(
    t,
    ["127.0.0.91", "127.0.0.92"],
    {
      deferStart: true,
    },
    "web",
  );
  const scripts = wrapperScripts("rh-stop-during-check-");
  t.after(() => scripts.cleanUp());
  // While `slow` exists, a `haproxy -c` says so in `held` and waits until the test writes to the
  // `release` fifo; everything else is the real HAProxy.
  const slow = join(fixture.dir, "slow");
  const held = join(fixture.dir, "held");
  const release = join(fixture.dir, "release");
  await promisify(execFile)("mkfifo", [release]);
  const { bin } = await scripts.wrapper(
    "slow-check-haproxy",
    `case " $* " in *" -c "*)
  if [ -f '${slow}' ]; then echo $$ > "$PIDS"; : > '${held}'; read _ < '${release}'; fi;;
esac
exec /usr/sbin/haproxy "$@"`,
  );
  const reloader = await fixture.start([
    "--haproxy-bin",
    bin,
    "--stop-timeout",
    "20s",
    "--reload-timeout",
    "2s",
  ]);
  const before = await readReloadCounter(fixture.stateDir);
  const running = await readlink(join(fixture.stateDir, "current"));
  const stream = await openStream({ url: fixture.url, host: "app.dev.tld" });
  t.after(() => stream.close());
  assert.equal(stream.backend, "app");

  // A new stack (a reload), whose check is held; the stop comes during it.
  await writeFile(slow, "");
  await fixture.write(appAndWebFiles(app.address, web.address));
  await waitFor(() => exists(held).then((there) => there || undefined), {
    timeoutMs: 10_000,
    message: "the pass's haproxy -c",
  });
  await rm(slow);
  const exited = reloader.stop({ signal: "SIGTERM", timeoutMs: 40_000 });
  const stopping = await reloader.waitForEvent("haproxy.stopping", { timeoutMs: 10_000 });
  const from = reloader.logs.indexOf(stopping);
  await waitFor(async () => (await accepts(fixture.httpPort)) === false || undefined, {
    timeoutMs: 5000,
    message: "the soft-stopped worker's listeners closed",
  });

  // The check passes now, after the soft stop: the pass reaches its switch.
  await writeFile(release, "go\n");
  const ended = (line: { event?: unknown }) =>
    ["reload.applied", "reload.failed", "reload.interrupted", "reload.skipped-stopping"].includes(
      String(line.event),
    );
  const outcome = await waitFor(() => reloader.logs.slice(from).find(ended), {
    timeoutMs: 10_000,
    message: "the held pass's end",
  });
  assert.equal(outcome.event, "reload.skipped-stopping", "no reload sent to the soft-stopped master");
  assert.equal(typeof outcome["generation"], "number", "the snapshot it would have loaded");
  assert.equal(await accepts(fixture.httpPort), false, "HAProxy does not listen again");
  const after = await readReloadCounter(fixture.stateDir);
  assert.equal(after.masterPid, before.masterPid);
  assert.equal(after.reloads, before.reloads, "the master counted no reload");
  assert.equal(await readlink(join(fixture.stateDir, "current")), running, "`current` names what runs");
  assert.equal(await exists(join(fixture.stateDir, "kept")), false, "no `kept` link left");
  assert.equal(stream.cut, null, "the in-flight stream goes on");

  // Its last stream closed, the soft-stopped master ends: the stop ends there, not at its SIGTERM.
  stream.close();
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.equal(reloader.count("reload.skipped-stopping"), 1, "logged once");
  assert.equal(reloader.count("haproxy.stop-timeout"), 0, "no fresh worker kept the stop waiting");
  assert.equal(reloader.count("haproxy.stopped"), 1);
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left behind");
});

// The stop's SIGUSR1 is not on the supervisor's lock: one that comes while a reload's `show proc` is in
// flight is seen right before `reload` would go out, so none does. Here the predicate answers "stopping"
// whenever asked: what this shows is that reloadMaster asks it once, after show proc answered (`before`),
// and then writes nothing.
test("reloadMaster: a stop seen after its show proc, right before `reload` would be written, sends no reload (verdict stopping, not sent)", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-reload-stopping-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, "haproxy.cfg");
  await writeFile(config, `frontend f\n  mode http\n  bind 127.0.0.1:${await freePort()}\n`);
  const socket = join(dir, "master.sock");
  const child = await spawnHaproxy("haproxy", haproxyArgs(socket, [config]), () => undefined);
  t.after(async () => {
    child.signal("SIGTERM");
    await child.exited;
  });
  const started = await waitFor(() => readProc(socket), { timeoutMs: 10_000, message: "the master" });

  const notes: unknown[] = [];
  let asked = 0;
  const attempt = await reloadMaster(
    child,
    socket,
    10_000,
    (info) => notes.push(info),
    () => {
      asked += 1;
      return true;
    },
  );
  assert.equal(attempt.verdict.ok, false);
  assert.equal(attempt.verdict.ok ? null : attempt.verdict.kind, "stopping");
  assert.equal(attempt.verdict.ok ? null : attempt.verdict.sent, false);
  assert.equal(attempt.before?.masterPid, started.masterPid, "asked after show proc");
  assert.equal(asked, 1, "asked once, right before the write");
  assert.deepEqual(notes, [], "no reload noted as sent");
  assert.equal((await readProc(socket))?.reloads, started.reloads, "the master counted no reload");
});

// The check right before `reload` is written leaves a window: the CLI connection opens after it. A stop's
// SIGUSR1 that lands there reaches the master first (it passes it to the old workers), then the reload
// (its new worker listens and serves through the stop, found by a review). The reload's end sees the stop
// and soft-stops the master again, which passes it on to the new worker. A stream through the old worker
// keeps the master alive, as in a stop with clients.
test("a stop whose SIGUSR1 lands between the last check and the write of `reload`: the new worker is soft-stopped too", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-reload-stop-window-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { child, layout, port } = await tcpMasterWithStream(t, dir, "haproxy");

  // Asked on top of reloadOnce (no stop yet), then right before `reload` is written: the stop lands
  // just after that check, its SIGUSR1 first; from then on a stop began.
  let asked = 0;
  const stopping = () => {
    asked += 1;
    if (asked === 2) child.signal("SIGUSR1");
    return asked > 2;
  };
  const options = quietSupervisorOptions("haproxy", layout);
  const reloads = new MasterReloads(new OldWorkerCount(), options, stopping);
  const { verdict, sent } = await reloads.reloadOnce(child, null);
  assert.equal(verdict.ok, true, "the reload went out before the stop was seen: its worker started");
  assert.equal(sent, true);
  await waitFor(async () => (await accepts(port)) === false || undefined, {
    timeoutMs: 10_000,
    message: "the reload's new worker soft-stopped: nothing listens during the stop",
  });
  assert.equal(child.isAlive(), true, "the master waits for the old worker's stream");
});

// A reload not confirmed in time (a slow re-execution of the master) while a stop began: its SIGUSR1, and
// the one the reload's end sends at once, land while the master still re-executes, which HAProxy 2.6 loses.
// Here the master's re-execution goes through a wrapper (as argv[0]) that waits for a file while `slow`
// exists. Once the master answers again with its new worker, the stop's watch (stopHaproxy's
// softStopNewWorkers; before 2026-12-06 the reload's own softStopWhenSettled) sends SIGUSR1 once more
// (until a review that worker listened and served through the stop).
test("a stop during a reload that timed out while the master re-executed: the new worker is soft-stopped once the master answers", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-reload-stop-late-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const slow = join(dir, "slow");
  const heldFile = join(dir, "held");
  const release = join(dir, "release");
  const bin = join(dir, "reexec-haproxy");
  // Held until `release` exists, or the test's directory is gone (a failed test's clean-up).
  await writeFile(
    bin,
    `#!/bin/bash\nif [ -n "$HAPROXY_MWORKER_REEXEC" ] && [ -f '${slow}' ]; then rm -f '${slow}'; : > '${heldFile}'\n` +
      `  while [ -d '${dir}' ] && [ ! -e '${release}' ]; do sleep 0.05; done\nfi\nexec -a "$0" /usr/sbin/haproxy "$@"\n`,
  );
  await chmod(bin, 0o755);
  const { child, layout, port } = await tcpMasterWithStream(t, dir, bin);

  let stopped = false;
  const options = { ...quietSupervisorOptions(bin, layout), reloadTimeoutMs: 1000 };
  const reloads = new MasterReloads(new OldWorkerCount(), options, () => stopped);
  await writeFile(slow, "");
  const reload = reloads.reloadOnce(child, null);
  await waitFor(() => exists(heldFile).then((there) => there || undefined), {
    timeoutMs: 10_000,
    message: "the master's re-execution held",
  });
  // The stop comes during the re-execution.
  stopped = true;
  const stop = stopHaproxy(child, 60_000, options.logger, layout.masterSocket, null);
  t.after(() => stop);
  const { verdict, sent } = await reload;
  assert.equal(verdict.ok ? null : verdict.kind, "timeout", "not confirmed in time: still re-executing");
  assert.equal(sent, true);
  assert.equal(child.isAlive(), true, "the master survives the signals it lost");

  // The re-execution goes on: the new worker starts, and is soft-stopped once the master answers.
  await writeFile(release, "");
  await waitFor(async () => (await accepts(port)) === false || undefined, {
    timeoutMs: 10_000,
    message: "the reload's new worker soft-stopped: nothing listens during the stop",
  });
  assert.equal(child.isAlive(), true, "the master waits for the old worker's stream");
});
