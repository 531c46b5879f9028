// Issue 11, item 3: one reloader per state dir. A second reloader on the same RELOADER_STATE_DIR adopted
// the first one's HAProxy and stopped it; now it exits 2 naming the holder's pid, and the first serves on.
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("a second reloader on the same state dir exits 2 naming the holder's pid; the first keeps serving", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.82" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    waitReady: false,
  });
  const first = fixture.reloader;
  await first.waitForEvent("reloader.ready", { timeoutMs: 20_000 });
  const [master] = first.haproxyPids();

  const second = await fixture.start(["--http-port", String(await freePort())]);
  const outcome = await Promise.race([
    second.exited,
    new Promise((resolve) => setTimeout(() => resolve("still running after 20 s"), 20_000).unref()),
  ]);
  assert.deepEqual(outcome, { code: 2, signal: null });
  const locked = second.logs.filter((line) => line.event === "reloader.state-dir-locked");
  assert.equal(locked.length, 1, "one line says why");
  assert.match(String(locked[0]?.["err"]), new RegExp(`pid ${first.pid}\\b`));
  assert.equal(second.count("haproxy.adopted"), 0);
  assert.equal(second.count("haproxy.started"), 0);

  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  assert.deepEqual(first.haproxyPids(), [master], "the first reloader's HAProxy was never replaced");
  assert.equal(first.count("haproxy.exited"), 0);
});

test("a lock left by a reloader that is gone (kill -9) is stale: the next reloader takes the dir", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true });
  // A pid that cannot be running (above pid_max) and a start time no process has.
  await mkdir(fixture.stateDir, { recursive: true, mode: 0o700 });
  await writeFile(join(fixture.stateDir, "reloader.lock"), "4194304 1\n");
  const reloader = await fixture.start();
  assert.equal(reloader.count("reloader.ready"), 1);

  // kill -9 leaves its lock behind; the next one replaces it.
  await reloader.stop({ signal: "SIGKILL" });
  const next = await fixture.start();
  assert.equal(next.count("reloader.ready"), 1);
});
