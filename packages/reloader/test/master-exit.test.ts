// A master's end is its own exit, not its output pipes closing (found by a review): a process HAProxy
// started (a `program` section of a --config, an external check script) inherits its stdout and stderr
// and keeps them open after the master died. execa's result waited for those pipes, so a crashed master
// was seen only once that process ended (no restart, HAProxy down and the status saying it ran), and a
// stop's SIGKILL stage waited for it unbounded (measured on 2.6.12: a `program` ignoring SIGTERM kept the
// stop of a master already gone waiting until the program's own end). A shell stands in for the master.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { viewProcess } from "../src/adopt/process-table.ts";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { spawnHaproxy } from "../src/haproxy/spawn-haproxy.ts";

// Alive and not a zombie (an orphan's zombie may wait a while for its reaper).
function isRunning(pid: number): boolean {
  return viewProcess(pid) !== null;
}

test("a master's exit is seen while a process it started still holds its output pipes", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-master-exit-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pidFile = join(dir, "holder.pid");
  const child = await spawnHaproxy(
    "sh",
    [
      "-c",
      // (the shell exits once the holder is in its own session, out of the group kill's reach)
      `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 8' & while [ ! -s ${pidFile} ]; do sleep 0.01; done; exit 3`,
    ],
    () => undefined,
  );
  const exit = await child.exited;
  const holder = Number((await readFile(pidFile, "utf8")).trim());
  t.after(() => void (isRunning(holder) && process.kill(holder, "SIGKILL")));
  assert.deepEqual(exit, { code: 3, signal: null, error: null });
  assert.equal(child.isAlive(), false);
  assert.equal(
    isRunning(holder),
    true,
    "the process holding the pipes still runs: the exit was not waited for it",
  );
});

test("a master whose output nothing else holds: its last lines are read before its exit is reported", async () => {
  const lines: string[] = [];
  const child = await spawnHaproxy("sh", ["-c", "echo '[ALERT] last words' >&2; exit 1"], (_stream, line) =>
    lines.push(line),
  );
  assert.deepEqual(await child.exited, { code: 1, signal: null, error: null });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(lines, ["[ALERT] last words"]);
});

// Found by the same review, measured on 2.6.12: a `program` ignoring SIGTERM was still running (in the
// master's process group, orphaned) after the stop's SIGKILL of the master, beside the next one.
test("what a master started and left in its process group is killed once the master is gone", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-master-group-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pidFile = join(dir, "holder.pid");
  const child = await spawnHaproxy(
    "sh",
    ["-c", `sh -c 'trap "" TERM USR1; sleep 8' & echo $! > ${pidFile}; exit 3`],
    () => undefined,
  );
  assert.deepEqual(await child.exited, { code: 3, signal: null, error: null });
  const holder = Number((await readFile(pidFile, "utf8")).trim());
  t.after(() => void (isRunning(holder) && process.kill(holder, "SIGKILL")));
  await waitFor(() => !isRunning(holder) || null, { timeoutMs: 5000, message: "the orphan to be killed" });
});
