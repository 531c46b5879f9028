// /healthz's "applying" window measured on the monotonic clock: real files whose mtime says they changed
// in the future (a wall clock stepped back an hour, or a timestamp set on the shared volume) are
// "applying" only for the grace window, then failing; the same bytes written again keep their wait; new
// bytes start a new one; a change found already old is failing at once.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import type { InputPaths } from "../src/sources/read-inputs.ts";
import { createAppliedStateProbe, judgeReloaderHealth, withPendingSince } from "../src/index.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import type { StatusSnapshot } from "../src/state/status-snapshot.ts";

const BASE = "global\n  maxconn 100\n";
const BACKENDS = "backend app\n  server s1 127.0.0.1:8080\n";
const GRACE = 5000;
const HOUR = 3_600_000;

// A fresh status with a confirmed worker running gen-1.
const RUNNING: StatusSnapshot = {
  ...new ReloaderStatus().snapshot(),
  haproxyPid: 100,
  workerPid: 101,
  currentGeneration: 1,
  runningGeneration: 1,
};

// A running gen-1 and `write`, which puts a map on disk with an mtime `offsetMs` from now; `advance` moves
// the monotonic clock.
async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), "rh-pending-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "volume"));
  const inputs: InputPaths = {
    base: join(dir, "volume", "haproxy.cfg"),
    backends: join(dir, "volume", "haproxy-backends.cfg"),
    map: join(dir, "volume", "domain.map"),
  };
  const layout = stateLayout(join(dir, "state"));
  const gen = join(layout.dir, "gen-1");
  await mkdir(join(gen, "inputs"), { recursive: true });
  await writeFile(join(gen, "haproxy.cfg"), BASE);
  await writeFile(join(gen, "inputs", "haproxy-backends.cfg"), BACKENDS);
  await writeFile(join(gen, "inputs", "domain.map"), "app.dev.tld app\n");
  const write = async (map: string, offsetMs: number) => {
    await Promise.all([
      writeFile(inputs.base, BASE),
      writeFile(inputs.backends, BACKENDS),
      writeFile(inputs.map, map),
    ]);
    const at = new Date(Date.now() + offsetMs);
    for (const path of Object.values(inputs)) await utimes(path, at, at);
  };
  let mono = 0;
  const raw = createAppliedStateProbe({ inputs, layout, generation: () => 1 });
  const probe = withPendingSince(raw, { capMs: GRACE + 1000, monotonic: () => mono });
  const judge = async (which = probe) => {
    const health = judgeReloaderHealth(RUNNING, await which(), Date.now(), GRACE);
    return health.body.status;
  };
  return { write, raw, judge, advance: (ms: number) => (mono += ms) };
}

test("files dated an hour ahead are applying only for the grace window, then failing", async (t) => {
  const { write, raw, judge, advance } = await setup(t);
  await write("app.dev.tld app\nnew.dev.tld app\n", HOUR);
  assert.equal(await judge(), "applying");
  advance(GRACE - 1000);
  assert.equal(await judge(), "applying");
  advance(1500);
  assert.equal(await judge(), "failing", "past the window on the monotonic clock");
  // The mtime alone (the old judgement) would call it "applying" for the next hour.
  assert.equal(await judge(raw), "applying");
});

test("the same bytes written again keep their wait; new bytes start anew; an old change is failing at once", async (t) => {
  const { write, judge, advance } = await setup(t);
  await write("app.dev.tld app\nnew.dev.tld app\n", 0);
  assert.equal(await judge(), "applying");
  advance(4000);
  await write("app.dev.tld app\nnew.dev.tld app\n", HOUR);
  advance(1500);
  assert.equal(await judge(), "failing", "a rewrite of the same bytes does not reset the wait");
  await write("app.dev.tld app\nother.dev.tld app\n", HOUR);
  assert.equal(await judge(), "applying", "new bytes are a new change");
  await write("app.dev.tld app\nthird.dev.tld app\n", -HOUR);
  assert.equal(await judge(), "failing", "found an hour old: past the window at once");
  // Applied again: the next change is judged from its own first sighting.
  await write("app.dev.tld app\n", 0);
  assert.equal(await judge(), "ok");
  await write("app.dev.tld app\nthird.dev.tld app\n", HOUR);
  assert.equal(await judge(), "applying");
});
