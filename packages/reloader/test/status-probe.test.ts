// The applied-files probe behind /healthz and /metrics, with real files: concurrent requests share one
// probe, files whose identity did not change are not read again, and a file replaced by an atomic rename,
// a new running generation or a missing input is seen by the next probe, with the answer an uncached
// readAppliedState gives.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { stateLayout } from "../src/output/snapshot-layout.ts";
import type { InputPaths } from "../src/sources/read-inputs.ts";
import { SETTLE_MS, UNSETTLED_REUSE_MS } from "../src/status/triple-memo.ts";
import { createAppliedStateProbe, hashTriple, readAppliedState, type ReadTriple } from "../src/index.ts";

const BASE = "global\n  maxconn 100\n";
const BACKENDS = "backend app\n  server s1 127.0.0.1:8080\n";
const MAP = "app.dev.tld app\n";

// A volume with the three inputs and a state dir whose gen-1 holds copies of them.
async function makeFiles(after: (fn: () => Promise<void>) => void) {
  const dir = await mkdtemp(join(tmpdir(), "rh-probe-"));
  after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "volume"));
  const inputs: InputPaths = {
    base: join(dir, "volume", "haproxy.cfg"),
    backends: join(dir, "volume", "haproxy-backends.cfg"),
    map: join(dir, "volume", "domain.map"),
  };
  await Promise.all([
    writeFile(inputs.base, BASE),
    writeFile(inputs.backends, BACKENDS),
    writeFile(inputs.map, MAP),
  ]);
  const layout = stateLayout(join(dir, "state"));
  await writeGeneration(layout.dir, 1, MAP);
  return { dir, inputs, layout };
}

async function writeGeneration(stateDir: string, generation: number, map: string): Promise<void> {
  const gen = join(stateDir, `gen-${generation}`);
  await mkdir(join(gen, "inputs"), { recursive: true });
  await writeFile(join(gen, "haproxy.cfg"), BASE);
  await writeFile(join(gen, "inputs", "haproxy-backends.cfg"), BACKENDS);
  await writeFile(join(gen, "inputs", "domain.map"), map);
}

// hashTriple, counting its calls by the map each one read.
function countingReader(): { calls: string[]; read: ReadTriple } {
  const calls: string[] = [];
  return {
    calls,
    read: (paths) => {
      calls.push(paths.map);
      return hashTriple(paths);
    },
  };
}

const probeAll = (probe: () => Promise<unknown>, n: number) =>
  Promise.all(Array.from({ length: n }, () => probe()));

test("concurrent probes read each triple once; unchanged files are not read again, changed ones are", async (t) => {
  const { dir, inputs, layout } = await makeFiles((fn) => t.after(fn));
  const { calls, read } = countingReader();
  let generation = 1;
  // A clock a minute ahead: the files were written long enough ago to be reused (TripleMemo's SETTLE_MS).
  const clock = () => Date.now() + 60_000;
  const probe = createAppliedStateProbe({
    inputs,
    layout,
    generation: () => generation,
    readTriple: read,
    clock,
  });
  const uncached = () => readAppliedState(inputs, layout, generation);

  const expected = await uncached();
  assert.equal(expected.applied, true);
  for (const answer of await probeAll(probe, 32)) assert.deepEqual(answer, expected);
  assert.equal(calls.length, 2, `32 concurrent probes read the inputs and gen-1 once: ${calls.join(", ")}`);
  for (const answer of await probeAll(probe, 32)) assert.deepEqual(answer, expected);
  assert.deepEqual(await probe(), expected);
  assert.equal(calls.length, 2, "unchanged files are not read again");

  // domain.map replaced by an atomic rename: the inputs are read again, gen-1 is not.
  const next = join(dir, "volume", ".domain.map.tmp");
  await writeFile(next, `${MAP}blog.dev.tld app\n`);
  await rename(next, inputs.map);
  const changed = await probe();
  assert.deepEqual(changed, await uncached());
  assert.equal(changed.applied, false);
  assert.notEqual(changed.hash, expected.hash);
  assert.deepEqual(calls.slice(2), [inputs.map]);

  // The reloader applies it as gen-2: the new snapshot is read, the unchanged inputs are not.
  await writeGeneration(layout.dir, 2, `${MAP}blog.dev.tld app\n`);
  generation = 2;
  const applied = await probe();
  assert.deepEqual(applied, await uncached());
  assert.equal(applied.applied, true);
  assert.deepEqual(calls.slice(3), [join(layout.dir, "gen-2", "inputs", "domain.map")]);

  // An input removed: said at once.
  await rm(inputs.map);
  const missing = await probe();
  assert.deepEqual(missing, await uncached());
  assert.equal(missing.problem, `${inputs.map} is missing`);
  assert.equal(calls.length, 5);
});

test("an mtime set far ahead on the volume does not keep unchanged files from being reused (ctime is the kernel's)", async (t) => {
  const { inputs, layout } = await makeFiles((fn) => t.after(fn));
  const ahead = new Date("2099-01-01T00:00:00Z");
  for (const path of [inputs.backends, inputs.map]) await utimes(path, ahead, ahead);
  const { calls, read } = countingReader();
  const probe = createAppliedStateProbe({
    inputs,
    layout,
    generation: () => 1,
    readTriple: read,
    clock: () => Date.now() + 60_000,
  });
  const first = await probe();
  for (let i = 0; i < 5; i++) assert.deepEqual(await probe(), first);
  assert.equal(calls.length, 2, `the inputs and gen-1 read once: ${calls.join(", ")}`);
});

test("files changed within SETTLE_MS are read again at most every UNSETTLED_REUSE_MS; concurrent probes share one", async (t) => {
  const { inputs, layout } = await makeFiles((fn) => t.after(fn));
  const { calls, read } = countingReader();
  // A clock the test moves, starting when the files were written: they stay unsettled (SETTLE_MS).
  let elapsed = 0;
  const start = Date.now();
  const probe = createAppliedStateProbe({
    inputs,
    layout,
    generation: () => 1,
    readTriple: read,
    clock: () => start + elapsed,
  });
  const expected = await readAppliedState(inputs, layout, 1);
  assert.ok(UNSETTLED_REUSE_MS * 3 < SETTLE_MS);
  for (let round = 1; round <= 3; round++) {
    // Probes back to back within UNSETTLED_REUSE_MS (an open /healthz asked in a loop): one read.
    for (let i = 0; i < 5; i++) {
      for (const answer of await probeAll(probe, 8)) assert.deepEqual(answer, expected);
      elapsed += UNSETTLED_REUSE_MS / 10;
    }
    assert.equal(calls.length, 2 * round, `round ${round}: both triples read once`);
    elapsed += UNSETTLED_REUSE_MS;
  }
});
