// `haproxy -vv`, read at start with a --config, is bounded by its timeout and ends with the binary even when
// `--haproxy-bin` is a wrapper script whose child holds the output pipe: until 2026-12-05 the read waited
// for that child (execa reads the pipe to its end), so a wrapper that left something in the background made
// the build unread (`timed out`) after that child's whole life, and one around a hung binary held the
// start past the timeout for as long as the binary hung.
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readHaproxyBuild } from "../src/sources/read-haproxy-build.ts";

const dirs: string[] = [];
const pidFiles: string[] = [];

// Whatever a wrapper left behind is ended even when an assertion fails.
after(async () => {
  for (const file of pidFiles) {
    const pid = Number((await readFile(file, "utf8").catch(() => "")).trim());
    if (pid > 0)
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// A wrapper script in a new directory: `body` runs with $PIDS naming a file for a child's pid.
async function wrapper(body: string): Promise<{ bin: string; pids: string }> {
  const dir = await mkdtemp(join(tmpdir(), "rh-vv-"));
  dirs.push(dir);
  const bin = join(dir, "haproxy-wrapper");
  const pids = join(dir, "child.pid");
  pidFiles.push(pids);
  await writeFile(bin, `#!/bin/sh\nPIDS='${pids}'\n${body}\n`);
  await chmod(bin, 0o755);
  return { bin, pids };
}

// True while `pid` still sleeps as the wrapper's `sleep` does (not gone, nor killed: exiting or a zombie).
async function sleeps(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] === "S";
}

test("a wrapper that leaves a child in the background still gives the build of the haproxy it execs", async () => {
  // The child holds the output pipe for 40 s; haproxy -vv answers and exits at once.
  const { bin, pids } = await wrapper('sleep 40 &\necho $! > "$PIDS"\nexec haproxy "$@"');
  const read = await readHaproxyBuild(bin);
  assert.ok(read.ok, read.ok ? "" : read.reason);
  assert.match(read.build.version ?? "", /^2\.6\./);
  assert.match(read.build.features ?? "", /[+-]OPENSSL\b/);
  // The child went with the binary's process group.
  const child = Number((await readFile(pids, "utf8")).trim());
  assert.equal(await sleeps(child), false, `the wrapper's child ${child} still runs`);
});

// (The test's timeout only stops a hang of the old read, which waited for the hung child to exit.)
test(
  "a wrapper around a binary that hangs ends at the timeout, its child with it",
  { timeout: 60_000 },
  async () => {
    const { bin, pids } = await wrapper('sleep 600 &\necho $! > "$PIDS"\nwait');
    const read = await readHaproxyBuild(bin, 500);
    assert.equal(read.ok, false);
    assert.match(read.ok ? "" : read.reason, /timed out after 500 milliseconds/);
    const child = Number((await readFile(pids, "utf8")).trim());
    assert.equal(await sleeps(child), false, `the wrapper's child ${child} still runs`);
  },
);
