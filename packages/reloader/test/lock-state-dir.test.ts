// The state-dir lock (one reloader per state dir) under contention: contenders started at the same
// instant, against no lock and against a stale one, and the empty lock a writer has not filled yet.
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";
import { viewProcess } from "../src/adopt/process-table.ts";
import { lockStateDir } from "../src/setup/lock-state-dir.ts";

const CONTENDER = repoPath("packages", "reloader", "test", "helpers", "lock-contender.mjs");

// One contender process and the lines it answers, in order.
interface Contender {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
}

function startContender(): Contender {
  const child = spawn(process.execPath, [CONTENDER], { stdio: "pipe" });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  return {
    child,
    next: () => {
      const line = lines.shift();
      return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rh-lock-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// A pid above pid_max (no process has it) and a start time none has: a lock a killed reloader left.
const STALE = "4194304 1\n";
const CONTENDERS = 4;
const ROUNDS = 50;

test("contenders started at once: exactly one holds the lock each round, against no lock and against a stale one", async (t) => {
  const dir = await tempDir(t);
  const lockFile = join(dir, "reloader.lock");
  assertBuilt("reloader");
  const contenders = Array.from({ length: CONTENDERS }, startContender);
  t.after(() => contenders.forEach(({ child }) => child.stdin.end()));
  for (const contender of contenders) assert.equal(await contender.next(), "ready");

  for (const start of ["no lock", "a stale lock"]) {
    for (let round = 0; round < ROUNDS; round++) {
      await rm(lockFile, { force: true });
      if (start === "a stale lock") await writeFile(lockFile, STALE);
      const at = Date.now() + 50;
      for (const { child } of contenders) child.stdin.write(`try ${lockFile} ${at}\n`);
      const outcomes = await Promise.all(contenders.map((contender) => contender.next()));
      const holders = contenders.filter((_, index) => outcomes[index] === "got");
      assert.equal(holders.length, 1, `${start}, round ${round}: ${outcomes.join(" | ")}`);
      const holder = holders[0]!;
      assert.match(
        await readFile(lockFile, "utf8"),
        new RegExp(`^${holder.child.pid} `),
        "the lock names it",
      );
      for (const [index, outcome] of outcomes.entries())
        if (outcome !== "got") assert.match(outcome, /in use by another reloader/, `contender ${index}`);
      holder.child.stdin.write("release\n");
      assert.equal(await holder.next(), "released");
    }
  }
});

test("an empty lock is a lock being written while it is fresh (refused, kept) and stale once it is old", async (t) => {
  const dir = await tempDir(t);
  const lockFile = join(dir, "reloader.lock");
  await writeFile(lockFile, "");
  await assert.rejects(lockStateDir(lockFile, dir), /reloader\.lock/);
  assert.equal(await readFile(lockFile, "utf8"), "", "the fresh empty lock was not replaced");

  const minuteAgo = new Date(Date.now() - 60_000);
  await utimes(lockFile, minuteAgo, minuteAgo);
  const lock = await lockStateDir(lockFile, dir);
  assert.match(await readFile(lockFile, "utf8"), new RegExp(`^${process.pid} \\d+\\n$`));
  lock.release();
  await assert.rejects(readFile(lockFile), { code: "ENOENT" });
});

// The marker a contender holds while it replaces the stale lock file `path` (lock-state-dir.ts).
async function markerOf(path: string): Promise<string> {
  const key = `${(await stat(path)).ino} ${await readFile(path, "utf8")}`;
  return `${path}.break-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

test("a marker left by a contender killed while replacing a stale lock is stepped over, and removed", async (t) => {
  const dir = await tempDir(t);
  const lockFile = join(dir, "reloader.lock");
  await writeFile(lockFile, STALE);
  await writeFile(await markerOf(lockFile), "4194303 1\n");
  const lock = await lockStateDir(lockFile, dir);
  assert.match(await readFile(lockFile, "utf8"), new RegExp(`^${process.pid} `));
  assert.deepEqual(await readdir(dir), ["reloader.lock"], "no marker or temp file is left");
  lock.release();
});

test("a stale lock another live contender is replacing (its marker) is left to it", async (t) => {
  const dir = await tempDir(t);
  const lockFile = join(dir, "reloader.lock");
  await writeFile(lockFile, STALE);
  const replacing = viewProcess(process.ppid);
  assert.ok(replacing, "the test runner's process is alive");
  await writeFile(await markerOf(lockFile), `${process.ppid} ${replacing.startTime}\n`);
  await assert.rejects(lockStateDir(lockFile, dir), /another process is replacing it/);
  assert.equal(await readFile(lockFile, "utf8"), STALE, "the stale lock was not touched");
});
