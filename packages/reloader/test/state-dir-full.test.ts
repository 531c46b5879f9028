// The state dir fills up (a 2 MiB tmpfs, filled) or turns read-only: a change cannot be staged
// (`apply.error` naming ENOSPC or EROFS) and is retried; once the fault is gone, it goes live. A stage that fails leaves nothing behind (found by a
// review: each attempt left its half-written gen-<n>, which held whatever space had been freed since the
// last one, so while the change failed the reloader kept filling the disk an operator was freeing, and
// the newest of those cut snapshots survived the prune after the change went live). Needs mount(8) and
// CAP_SYS_ADMIN, as the generator's disk-fault tests.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, open, readdir, rm, statfs, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import {
  haproxyMasters,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { waitForApply } from "./helpers/fixture.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

const run = promisify(execFile);

// Writes zeros to `<dir>/filler` until the filesystem is full; returns its path and size.
async function fill(dir: string): Promise<{ path: string; size: number }> {
  const path = join(dir, "filler");
  const handle = await open(path, "a");
  const block = Buffer.alloc(4096);
  let size = 0;
  try {
    for (;;) size += (await handle.write(block)).bytesWritten;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await handle.close();
  }
  return { path, size };
}

// A 2 MiB tmpfs at its own mount point, unmounted and removed when the test ends, after the reloaders
// using it stopped: node:test runs a test's after() hooks in the order they were registered, and each test
// here makes its fixture (appFixture) before calling this, so the fixture's teardown (which stops its
// reloaders and the HAProxy masters they started) runs first. Call it after the fixture is made.
async function tmpfsStateDir(t: { after: (fn: () => unknown) => void }): Promise<string> {
  const stateDir = await mkdtemp(join(tmpdir(), "rh-state-tmpfs-"));
  await run("mount", ["-t", "tmpfs", "-o", "size=2048k,mode=0700", "tmpfs", stateDir]);
  t.after(async () => {
    await run("umount", [stateDir]).catch(() => run("umount", ["-l", stateDir]));
    await rm(stateDir, { recursive: true, force: true });
  });
  return stateDir;
}

async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

test("a stage that fails for a full state dir leaves no half-written snapshot holding the freed space", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.88.5", "127.0.88.6"], { deferStart: true }, "web");
  const stateDir = await tmpfsStateDir(t);
  const reloader = await fixture.start(["--state-dir", stateDir]);
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  const before = (await readdir(stateDir)).filter((name) => name.startsWith("gen-"));

  // Full, then 256 KiB freed: less than the new snapshot needs (its map, twice, is ≈ 600 KiB).
  const filler = await fill(stateDir);
  await truncate(filler.path, filler.size - 256 * 1024);
  const freed = await freeBytes(stateDir);
  assert.ok(freed >= 200 * 1024, `${freed} bytes free`);
  const hosts: Record<string, string> = { "app.dev.tld": "app" };
  for (let i = 0; i < 10_000; i++) hosts[`host-${i}.www.dev.tld`] = "web";
  const from = reloader.logs.length;
  // In one pass: the backends file read alone (web, no map key yet) is a small snapshot that fits.
  await writeInOnePass(fixture, {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "web", servers: [{ address: web.address }] },
    ]),
    map: renderTestMap(hosts),
  });
  const failures = () => reloader.logs.slice(from).filter((line) => line.event === "apply.error");
  await waitFor(() => failures().length >= 2, { timeoutMs: 20_000, message: "two attempts failed" });
  assert.deepEqual(
    (await readdir(stateDir)).filter((name) => name.startsWith("gen-")),
    before,
    "no half-written snapshot is left",
  );
  assert.ok((await freeBytes(stateDir)) >= freed - 16 * 1024, "the freed space stays free");
  // The reason names the full disk (until 2026-12-04: "…/domain.map: wrote 241664 of 258906 bytes").
  assert.match(String(failures()[0]?.["err"]), /ENOSPC/);

  // Space freed for good: the change goes live.
  await rm(filler.path);
  await waitForApply(reloader, from, 30_000);
  await waitFor(routesTo(fixture.url, "host-9.www.dev.tld", "web"), { timeoutMs: 5000, message: "live" });
});

test("a read-only state dir is named in the failure, and the change goes live once it is writable", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.88.7", "127.0.88.8"], { deferStart: true }, "web");
  const stateDir = await tmpfsStateDir(t);
  const reloader = await fixture.start(["--state-dir", stateDir]);
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  await run("mount", ["-o", "remount,ro", stateDir]);
  const from = reloader.logs.length;
  await fixture.write(appAndWebFiles(app.address, web.address));
  const failed = await reloader.waitForEvent("apply.error", { from, timeoutMs: 10_000 });
  // Until 2026-12-04: "ENOENT: no such file or directory, mkdir '<state>/gen-2/inputs'".
  assert.match(String(failed["err"]), /EROFS/);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "HAProxy serves on");
  await run("mount", ["-o", "remount,rw", stateDir]);
  await waitForApply(reloader, from, 30_000);
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "live" });
});

test("a start with the state dir too full for the new snapshot starts from the last good one", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.88.9", "127.0.88.10"], { deferStart: true }, "web");
  const stateDir = await tmpfsStateDir(t);
  const first = await fixture.start(["--state-dir", stateDir]);
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  await first.stop();

  // While no reloader runs, the disk fills up (256 KiB left) and the files grow past that.
  const filler = await fill(stateDir);
  await truncate(filler.path, filler.size - 256 * 1024);
  const hosts: Record<string, string> = { "app.dev.tld": "app" };
  for (let i = 0; i < 10_000; i++) hosts[`host-${i}.www.dev.tld`] = "web";
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "web", servers: [{ address: web.address }] },
    ]),
    map: renderTestMap(hosts),
  });
  // Until 2026-12-04 the start failed (exit 1): nothing served, though the last good snapshot would.
  const second = await fixture.start(["--state-dir", stateDir]);
  assert.match(String((await second.waitForEvent("start.stage-failed"))["err"]), /ENOSPC/);
  await second.waitForEvent("start.last-good");
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), {
    timeoutMs: 5000,
    message: "last good served",
  });
  await second.waitForEvent("apply.retry", { timeoutMs: 10_000 });

  await rm(filler.path);
  await waitForApply(second, 0, 30_000);
  await waitFor(routesTo(fixture.url, "host-9.www.dev.tld", "web"), { timeoutMs: 5000, message: "live" });
});

test("a restart refused for a read-only state dir stops the master it leaves, instead of leaving it unsupervised", async (t) => {
  const { fixture } = await appFixture(t, ["127.0.88.11", "127.0.88.12"], {
    deferStart: true,
    waitReady: false,
  });
  const stateDir = await tmpfsStateDir(t);
  const first = await fixture.start(["--state-dir", stateDir]);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  await run("mount", ["-o", "remount,ro", stateDir]);

  const second = await fixture.start(["--state-dir", stateDir]);
  assert.deepEqual(await second.exited, { code: 1, signal: null });
  assert.match(String(second.logs.find((line) => line.event === "reloader.start-failed")?.["err"]), /EROFS/);
  // Until 2026-12-04 the master served on with no reloader (the log did not name it), its routing frozen.
  assert.equal((await second.waitForEvent("start.stopping-haproxy"))["pid"], masterPid);
  assert.equal(second.count("haproxy.stopped"), 1, "stopped gracefully");
  assert.deepEqual(haproxyMasters(stateDir), [], "no HAProxy left");
});
