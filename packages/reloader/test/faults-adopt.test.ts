// The reloader killed (SIGKILL) and restarted while HAProxy runs (issue 7, item 5): the new reloader
// adopts the running master (found through <state>/master.sock and <state>/haproxy.pid) instead of
// starting a second HAProxy on the same ports; routing answers throughout; a file change after the
// adoption is applied through a confirmed reload; SIGTERM stops the adopted HAProxy gracefully; and an
// adopted master that dies is noticed (it is not our child: polled) and replaced by one of our own.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test, type TestContext } from "node:test";
import {
  haproxyMasters as masters,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend, type Backend } from "../../test-support/src/http/index.ts";
import type { LoadResult } from "../../test-support/src/load/index.ts";
import { startAppLoad } from "./helpers/app-load.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";

const routes = (url: string, host: string, name: string) => async () => {
  const answer = await httpRequest({ url, host, timeoutMs: 2000 });
  return answer.status === 200 && answer.body === name;
};

function killIfHaproxy(pid: number): void {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("haproxy")) process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

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
    await waitFor(routes(fixture.url, "fresh.dev.tld", "fresh"), { timeoutMs: 3000, message: "fresh" });
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
  const ready = await second.waitForEvent("haproxy.ready", { from, timeoutMs: 15_000 });
  assert.notEqual(ready["pid"], masterPid);
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "routing back" });
  assert.deepEqual(masters(fixture.stateDir), [Number(ready["pid"])], "exactly one master, our child");
});
