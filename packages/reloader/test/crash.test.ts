// An uncaught error in the reloader (injected by a preloaded fixture on SIGUSR2): by default HAProxy is
// stopped gracefully and the reloader exits 1; with --on-crash leave-haproxy (the image's entrypoint sets
// it, and starts the reloader again) HAProxy keeps serving, the reloader exits 3, and a reloader started
// again on the same state dir adopts the master.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { repoPath } from "@rancher-haproxy/test-support";
import {
  haproxyMasters,
  httpRequest,
  renderTestBackends,
  renderTestMap,
  startBackend,
  waitFor,
} from "@rancher-haproxy/test-support";
import { createFixture } from "./helpers/fixture.ts";

const THROWER = repoPath("packages", "reloader", "test", "helpers", "throw-on-sigusr2.mjs");

// A reloader routing app.dev.tld, crashed by the fixture once it serves; `onCrash` is RELOADER_ON_CRASH.
async function crashReloader(t: TestContext, onCrash: string, host: string) {
  const app = await startBackend({ name: "app", host });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    env: { NODE_OPTIONS: `--import=${THROWER}`, RELOADER_ON_CRASH: onCrash },
  });
  const serves = async () =>
    (await httpRequest({ url: fixture.url, host: "app.dev.tld", timeoutMs: 2000 }).catch(() => null))
      ?.body === "app";
  await waitFor(serves, { timeoutMs: 10_000, message: "app routed" });
  const [master] = haproxyMasters(fixture.stateDir);
  assert.ok(master !== undefined);
  const crashed = fixture.reloader;
  process.kill(crashed.pid, "SIGUSR2");
  const exit = await crashed.exited;
  const crash = crashed.logs.find((line) => line.event === "reloader.crash");
  assert.match(String(crash?.["err"]), /injected by throw-on-sigusr2/);
  return { exit, crash, master, serves, fixture, crashed };
}

test("by default an uncaught error stops HAProxy gracefully and exits 1", async (t) => {
  const { exit, crash, fixture, crashed } = await crashReloader(t, "stop-haproxy", "127.0.75.1");
  assert.deepEqual(exit, { code: 1, signal: null });
  assert.match(String(crash?.["haproxy"]), /stopped/);
  assert.equal(crashed.count("haproxy.stopped"), 1, "stopped gracefully");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left");
});

test("with --on-crash leave-haproxy an uncaught error leaves HAProxy serving (exit 3); a new reloader adopts it", async (t) => {
  const { exit, crash, master, serves, fixture, crashed } = await crashReloader(
    t,
    "leave-haproxy",
    "127.0.75.2",
  );
  assert.deepEqual(exit, { code: 3, signal: null });
  assert.match(String(crash?.["haproxy"]), /left running/);
  assert.equal(crashed.count("haproxy.stopped"), 0);
  assert.deepEqual(haproxyMasters(fixture.stateDir), [master], "the master still runs");
  assert.ok(await serves(), "and serves");
  const next = await fixture.start([], { RELOADER_ON_CRASH: "stop-haproxy" });
  const adopted = next.logs.find((line) => line.event === "haproxy.adopted");
  assert.equal(adopted?.["pid"], master, "the new reloader adopted the master");
  assert.deepEqual(haproxyMasters(fixture.stateDir), [master]);
  assert.deepEqual(await next.stop({ signal: "SIGTERM", timeoutMs: 15_000 }), { code: 0, signal: null });
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "stopped with the new reloader");
});
