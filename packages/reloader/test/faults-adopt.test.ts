// The reloader killed (SIGKILL) and restarted while HAProxy runs (issue 7, item 5): the new reloader
// adopts the running master (found through <state>/master.sock and <state>/haproxy.pid) instead of
// starting a second HAProxy on the same ports; routing answers throughout; a file change after the
// adoption is applied through a confirmed reload; SIGTERM stops the adopted HAProxy gracefully; and an
// adopted master that dies is noticed (it is not our child: polled) and replaced by one of our own. A
// master busy re-executing for a reload (its CLI silent for seconds) is waited for up to the reload
// timeout, not killed as stale; one that never answers is still retired.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chmod, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { sendMasterCommand } from "@rancher-haproxy/core";
import {
  haproxyMasters as masters,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { startBackend, type Backend } from "../../test-support/src/http/index.ts";
import type { LoadResult } from "../../test-support/src/load/index.ts";
import { startAppLoad } from "./helpers/app-load.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";

const routes = (url: string, host: string, name: string) => routesTo(url, host, name, 2000);

interface Adopted {
  fixture: Fixture;
  app: Backend;
  fresh: Backend;
  masterPid: number;
  load: Promise<LoadResult>;
  stopLoad: () => void;
}

// A reloader with HAProxy under load, SIGKILLed, and a second reloader started on the same state dir.
async function killAndRestartReloader(t: TestContext, hostBase: string): Promise<Adopted> {
  const app = await startBackend({ name: "app", host: `${hostBase}.1` });
  const fresh = await startBackend({ name: "fresh", host: `${hostBase}.2` });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const ready = await fixture.reloader.waitForEvent("haproxy.ready");
  const masterPid = Number(ready["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  assert.deepEqual(masters(fixture.stateDir), [masterPid], "one master before");

  const load = startAppLoad(fixture.url, 60_000);
  await waitFor(() => app.requests > 50, { timeoutMs: 10_000, message: "the load to start" });

  const first = fixture.reloader;
  process.kill(first.pid, "SIGKILL");
  assert.deepEqual(await first.exited, { code: null, signal: "SIGKILL" });
  const before = app.requests;
  await waitFor(() => app.requests > before + 50, { timeoutMs: 10_000, message: "HAProxy to serve alone" });
  assert.deepEqual(masters(fixture.stateDir), [masterPid], "the orphaned master still runs");

  const second = await fixture.start();
  const adopted = await second.waitForEvent("haproxy.adopted");
  assert.equal(adopted["pid"], masterPid);
  await second.waitForEvent("adopt.reloaded");
  assert.equal(second.count("haproxy.started"), 0, "no second HAProxy was started");
  assert.deepEqual(masters(fixture.stateDir), [masterPid], "exactly one master after the adoption");
  return { fixture, app, fresh, masterPid, load: load.result, stopLoad: () => load.stop() };
}

test("a restarted reloader adopts the running HAProxy: one master, no failed request, changes applied, graceful stop", async (t) => {
  const { fixture, app, fresh, masterPid, load, stopLoad } = await killAndRestartReloader(t, "127.0.71");
  const second = fixture.reloader;
  let result: LoadResult;
  try {
    const from = second.logs.length;
    await fixture.write({
      backends: renderTestBackends([
        { name: "app", servers: [{ address: app.address }] },
        { name: "fresh", servers: [{ address: fresh.address }] },
      ]),
      map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
    });
    const applied = await second.waitForEvent("reload.applied", { from, timeoutMs: 10_000 });
    assert.ok(Number(applied["masterReloads"]) >= 2, "the adopted master's counter went on");
    // Two renames a loaded machine may split between two passes (this reload took the backends, the map
    // follows at runtime): fresh.dev.tld can come a whole pass after the reload.
    await waitFor(routes(fixture.url, "fresh.dev.tld", "fresh"), { timeoutMs: 15_000, message: "fresh" });
    assert.deepEqual(masters(fixture.stateDir), [masterPid], "still exactly one master");
  } finally {
    stopLoad();
    result = await load;
  }
  console.log(`reloader SIGKILL + adoption under load: ${result.sent} requests, ${result.failed} failed`);
  assert.ok(result.sent > 200, `load ran (${result.sent} requests)`);
  assert.deepEqual(result.failures, []);

  const exit = await second.stop({ signal: "SIGTERM", timeoutMs: 15_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const stopped = await second.waitForEvent("haproxy.stopped");
  assert.equal(stopped["pid"], masterPid);
  assert.deepEqual(masters(fixture.stateDir), [], "the adopted HAProxy is gone");
});

test("an adopted master that dies is noticed by polling and replaced by the reloader's own", async (t) => {
  const { fixture, masterPid, load, stopLoad } = await killAndRestartReloader(t, "127.0.73");
  stopLoad();
  assert.deepEqual((await load).failures, [], "no failure up to the adoption");
  const second = fixture.reloader;
  const from = second.logs.length;
  process.kill(masterPid, "SIGKILL");
  const exited = await second.waitForEvent("haproxy.exited", { from, timeoutMs: 10_000 });
  assert.equal(exited["pid"], masterPid);
  assert.match(String(exited["msg"]), /its exit status cannot be read/, "not 'exited with code ?'");
  // Adopted with no stop before it: the adoption is not one a stop follows (6388510), its end a crash.
  assert.equal(second.count("adopt.reload-skipped"), 0, "no stop came: the adoption's reload was sent");
  const restarting = await second.waitForEvent("haproxy.restarting", { from, timeoutMs: 5000 });
  assert.equal(restarting["attempt"], 1, "restarted, as a master of its own would be");
  const ready = await second.waitForEvent("haproxy.ready", { from, timeoutMs: 15_000 });
  assert.notEqual(ready["pid"], masterPid);
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "routing back" });
  assert.deepEqual(masters(fixture.stateDir), [Number(ready["pid"])], "exactly one master, our child");
});

// The command line /proc shows for `pid` ("" once it is gone, or a zombie).
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

// An HAProxy whose master, re-executing for a reload while `<dir>/busy` exists, runs `busy` (shell)
// before the real HAProxy takes over: its master CLI refuses connections meanwhile, as a real master's
// does while it parses a large config. The interpreter is bash under a name holding "haproxy", so /proc
// shows the busy master as one of ours, as it shows a real one.
async function busyHaproxy(dir: string, busy: string): Promise<{ bin: string; flag: string }> {
  const shell = join(dir, "haproxy-sh");
  await symlink("/bin/bash", shell);
  const bin = join(dir, "busy-haproxy");
  const flag = join(dir, "busy");
  await writeFile(
    bin,
    `#!${shell}
if [[ -e ${flag} && " $* " == *" -sf "* ]]; then rm -f ${flag}; ${busy}; fi
exec -a "$0" /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  return { bin, flag };
}

// Start a reloader on `bin`, SIGKILL it, and have its orphaned master re-execute for a reload that
// stays busy (the reloader died mid-reload); resolves once /proc shows the master busy.
async function orphanBusyMaster(t: TestContext, fixture: Fixture, bin: string, flag: string, args: string[]) {
  const first = await fixture.start(["--haproxy-bin", bin, ...args]);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  await writeFile(flag, "");
  await sendMasterCommand(`${fixture.stateDir}/master.sock`, "reload").catch(() => "");
  await waitFor(() => cmdline(masterPid).includes("haproxy-sh"), {
    timeoutMs: 5000,
    message: "the master to be busy re-executing",
  });
  return masterPid;
}

test("a restarted reloader waits for a master busy reloading (its CLI silent past 2 s) and adopts it", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.75" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
  });
  // Busy 8 s: longer than the 2 s the adoption used to wait (plus a reloader's start), shorter than
  // the default --reload-timeout (10 s) it waits now.
  const { bin, flag } = await busyHaproxy(fixture.dir, "sleep 8");
  const masterPid = await orphanBusyMaster(t, fixture, bin, flag, []);

  const second = await fixture.start(["--haproxy-bin", bin]);
  const adopted = await second.waitForEvent("haproxy.adopted", { timeoutMs: 30_000 });
  assert.equal(adopted["pid"], masterPid);
  await second.waitForEvent("adopt.reloaded");
  assert.equal(second.count("haproxy.stale"), 0, "not retired as stale");
  assert.equal(second.count("adopt.waiting"), 1, "the wait for the silent master is logged once");
  assert.equal(second.count("haproxy.started"), 0, "no second HAProxy was started");
  assert.deepEqual(masters(fixture.stateDir), [masterPid], "exactly one master, the adopted one");
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 3000, message: "routing" });
});

test("a master that never answers its CLI is retired after the reload timeout's window and replaced", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.76" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
  });
  const { bin, flag } = await busyHaproxy(fixture.dir, "while :; do sleep 0.2; done");
  const args = ["--reload-timeout", "2s"];
  const masterPid = await orphanBusyMaster(t, fixture, bin, flag, args);

  const second = await fixture.start(["--haproxy-bin", bin, ...args]);
  const stale = await second.waitForEvent("haproxy.stale", { timeoutMs: 30_000 });
  assert.equal(stale["pid"], masterPid);
  // Retired only once the new start is prepared: its workers served meanwhile.
  const at = (event: string) => second.logs.findIndex((line) => line["event"] === event);
  assert.ok(at("base-config.written") >= 0, "the base config was rendered");
  assert.ok(at("base-config.written") < at("haproxy.stale"), "the start was prepared before the retirement");
  const ready = await second.waitForEvent("haproxy.ready");
  assert.notEqual(ready["pid"], masterPid);
  assert.equal(second.count("haproxy.adopted"), 0);
  assert.ok(!cmdline(masterPid).includes("haproxy"), "the silent master is gone (or a zombie)");
  assert.deepEqual(masters(fixture.stateDir), [Number(ready["pid"])], "exactly one master, our child");
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 3000, message: "routing" });
});
