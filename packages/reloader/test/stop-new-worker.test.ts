// A reload the master takes after the stop's SIGUSR1 (one a killed reloader queued before it, or one on
// its way): HAProxy 2.6 forks a new worker that listens and serves. Until 2026-12-06 it served through the
// stop until --stop-timeout's SIGTERM (`haproxy.stop-timeout`): a master that answered the next reloader
// was soft-stopped once, and an own stop resent nothing for a reload it did not send. Now every stop
// watches `show proc` and soft-stops each new worker (`haproxy.soft-stop-again`). Here the test sends the
// reload itself once `haproxy.stopping` is logged (a `reload` on the master CLI, or SIGUSR2 as a killed
// reloader's stand-in did); a stream keeps the old worker (and so the master) alive until then, and is
// closed once the master counted the reload.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { currentWorker, sendMasterCommand } from "@rancher-haproxy/core";
import {
  haproxyMasters,
  httpRequest,
  openStream,
  renderTestBackends,
  renderTestMap,
  startBackend,
  waitFor,
  type ReloaderProcess,
} from "@rancher-haproxy/test-support";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { leftMaster } from "./helpers/left-master.ts";

// A fixture routing app.dev.tld to one backend, its reloader not started.
async function appFixture(t: TestContext): Promise<Fixture> {
  const app = await startBackend({ name: "app-0", host: "127.0.0.246" });
  t.after(() => app.close());
  return createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ name: "app-0", address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
    waitReady: false,
  });
}

// With a stream open on its worker, `stop` soft-stops the master; then `reload` reloads it. The stop must
// end once the stream does, its new worker soft-stopped, well within --stop-timeout (30 s).
async function reloadAfterStopping(
  t: TestContext,
  fixture: Fixture,
  stop: () => Promise<ReloaderProcess>,
  reload: (masterSocket: string, masterPid: number) => Promise<unknown>,
): Promise<void> {
  const masterSocket = join(fixture.stateDir, "master.sock");
  const before = await readProc(masterSocket);
  const oldWorker = before ? currentWorker(before)?.pid : undefined;
  assert.ok(before && oldWorker !== undefined, "show proc names the worker");
  const stream = await openStream({ url: fixture.url, host: "app.dev.tld" });
  t.after(() => stream.close());

  const reloader = await stop();
  await reloader.waitForEvent("haproxy.stopping", { timeoutMs: 10_000 });
  await reload(masterSocket, before.masterPid);
  await waitFor(async () => ((await readProc(masterSocket))?.reloads ?? 0) > before.reloads, {
    timeoutMs: 10_000,
    message: "the master counted the reload",
  });
  assert.equal(stream.cut, null, "the old worker's stream goes on");
  stream.close();

  assert.deepEqual(await reloader.exited, { code: 0, signal: null });
  assert.equal(reloader.count("haproxy.stop-timeout"), 0, "no worker served until --stop-timeout");
  const resent = reloader.logs
    .filter((line) => line.event === "haproxy.soft-stop-again")
    .flatMap((line) => line["workers"] as number[]);
  assert.ok(
    resent.some((pid) => pid !== oldWorker),
    `the reload's new worker soft-stopped (resent to ${resent.join(", ")})`,
  );
  assert.equal(new Set(resent).size, resent.length, "once per worker");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
}

test("a reload the master takes after the reloader's own stop began: its new worker is soft-stopped, the stop ends with the stream", async (t) => {
  const fixture = await appFixture(t);
  const reloader = await fixture.start(["--stop-timeout", "30s"]);
  await reloader.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  await reloadAfterStopping(
    t,
    fixture,
    () => {
      void reloader.stop({ signal: "SIGTERM", timeoutMs: 60_000 });
      return Promise.resolve(reloader);
    },
    (masterSocket) => sendMasterCommand(masterSocket, "reload", 5000),
  );
});

test("a reload the master a killed reloader left takes after a stop under way soft-stopped it: its new worker is soft-stopped too", async (t) => {
  const fixture = await appFixture(t);
  await leftMaster(t, fixture);
  await reloadAfterStopping(
    t,
    fixture,
    () => fixture.start(["--stop-timeout", "30s"], { RELOADER_STOP_UNDER_WAY: "SIGTERM" }),
    (_socket, masterPid) => Promise.resolve(process.kill(masterPid, "SIGUSR2")),
  );
});

// SIGTERM to `reloader` with `stream` holding its worker; once the soft-stopped master has answered
// `show proc` after haproxy.stopping (the watch asks first), the stream ends and so does the stop: exit 0,
// no haproxy.soft-stop-again (`why`), no stop timeout, no HAProxy left.
async function stopOrdinarily(
  reloader: ReloaderProcess,
  fixture: Fixture,
  masterSocket: string,
  stream: { close(): void },
  why: string,
): Promise<void> {
  void reloader.stop({ signal: "SIGTERM", timeoutMs: 60_000 });
  await reloader.waitForEvent("haproxy.stopping", { timeoutMs: 10_000 });
  await waitFor(async () => (await readProc(masterSocket)) !== null, {
    timeoutMs: 10_000,
    message: "the soft-stopped master answers show proc",
  });
  stream.close();

  assert.deepEqual(await reloader.exited, { code: 0, signal: null });
  assert.equal(reloader.count("haproxy.soft-stop-again"), 0, why);
  assert.equal(reloader.count("haproxy.stop-timeout"), 0);
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
}

// An ordinary stop (a container's `docker stop`) of a settled master: the first SIGUSR1 reached its worker,
// so nothing is resent. Until a review the watch soft-stopped the first answer's worker again and logged
// haproxy.soft-stop-again ("the stop may have missed") on every stop. A stream keeps the master alive
// until the test itself has had `show proc` answered after haproxy.stopping (the watch asks first).
test("an ordinary stop of a settled master soft-stops it once: no haproxy.soft-stop-again", async (t) => {
  const fixture = await appFixture(t);
  const reloader = await fixture.start(["--stop-timeout", "30s"]);
  await reloader.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const masterSocket = join(fixture.stateDir, "master.sock");
  const stream = await openStream({ url: fixture.url, host: "app.dev.tld" });
  t.after(() => stream.close());

  await stopOrdinarily(reloader, fixture, masterSocket, stream, "the first SIGUSR1 reached the worker");
});

// The same after a reload the master confirmed: the watch starts from the count of that confirmation's
// answer (settled-workers.ts), so the count the reloader's own reload moved is no news to the stop. A
// count noted from before the reload would resend and log haproxy.soft-stop-again on every stop that
// follows one; the test above sees a master that never reloaded (count 0) only.
test("an ordinary stop after a confirmed reload: the reload count it moved resends nothing", async (t) => {
  const fixture = await appFixture(t);
  const reloader = await fixture.start(["--stop-timeout", "30s"]);
  await reloader.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const masterSocket = join(fixture.stateDir, "master.sock");
  const app = await startBackend({ name: "app-1", host: "127.0.0.247" });
  t.after(() => app.close());
  const from = reloader.logs.length;
  // A new backend is no runtime change: the master reloads.
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ name: "app-1", address: app.address }] },
      { name: "web", servers: [{ name: "web-0", address: app.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "web.dev.tld": "web" }),
  });
  await reloader.waitForEvent("reload.applied", { from, timeoutMs: 20_000 });
  const reloaded = await readProc(masterSocket);
  assert.ok(reloaded !== null && reloaded.reloads > 0, "the master counted the reload");
  // Two renames a loaded machine may split between two passes (this reload took the backends, the map
  // follows at runtime): web.dev.tld is routed once the map is live too.
  await waitFor(
    async () =>
      (await httpRequest({ url: fixture.url, host: "web.dev.tld", timeoutMs: 2000 }).catch(() => null))
        ?.status === 200,
    { timeoutMs: 15_000, message: "web.dev.tld routed" },
  );
  const stream = await openStream({ url: fixture.url, host: "web.dev.tld" });
  t.after(() => stream.close());

  await stopOrdinarily(reloader, fixture, masterSocket, stream, "the first SIGUSR1 reached the new worker");
});
