// `haproxy -c` gives its verdict when the binary exits, and ends at its timeout, even when `--haproxy-bin`
// is a wrapper script whose child holds the output pipe (an entrypoint script, a forgotten `exec`, a logger
// left in the background): until 2026-12-05 the check waited for that child (execa reads the pipes to their
// end), so a wrapper leaving a 40 s child made every check wait 40 s, past its timeout (`stopped`, no
// verdict, though the binary had answered), and one around a hung binary ran as long as the binary hung.
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { checkConfig } from "../src/haproxy/check-config.ts";

let dir = "";
const pidFiles: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "rh-check-wrapper-"));
});

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
  await rm(dir, { recursive: true, force: true });
});

// A wrapper script named `name`: `body` runs with $PIDS naming a file for a child's pid.
async function wrapper(name: string, body: string): Promise<{ bin: string; pids: string }> {
  const bin = join(dir, name);
  const pids = join(dir, `${name}.pid`);
  pidFiles.push(pids);
  await writeFile(bin, `#!/bin/sh\nPIDS='${pids}'\n${body}\n`);
  await chmod(bin, 0o755);
  return { bin, pids };
}

// A config file named `name` holding `text`.
async function config(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const VALID = [
  "defaults",
  "  mode http",
  "  timeout connect 1s",
  "  timeout client 1s",
  "  timeout server 1s",
  "backend web",
  "  server s1 127.0.0.1:1",
  "",
].join("\n");

// True while `pid` still sleeps as the wrapper's `sleep` does (not gone, nor killed: exiting or a zombie).
async function sleeps(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] === "S";
}

async function childOf(pids: string): Promise<number> {
  return Number((await readFile(pids, "utf8")).trim());
}

// (The 20 s timeout only witnesses the old wait: the child lives 40 s, so the old check ended `stopped`.)
test("a wrapper that leaves a child in the background gives the verdicts of the haproxy it execs", async () => {
  const { bin, pids } = await wrapper("background", 'sleep 40 &\necho $! > "$PIDS"\nexec haproxy "$@"');
  const good = await checkConfig(bin, [await config("good.cfg", VALID)], 20_000);
  assert.equal(good.stopped, null);
  assert.equal(good.spawnError, null);
  assert.equal(good.exitCode, 0, good.output);
  assert.equal(good.ok, true);
  assert.equal(await sleeps(await childOf(pids)), false, "the wrapper's child still runs");

  const broken = `${VALID}  no-such-keyword here\n`;
  const bad = await checkConfig(bin, [await config("bad.cfg", broken)], 20_000);
  assert.equal(bad.stopped, null);
  assert.equal(bad.ok, false);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.output, /no-such-keyword/);
  assert.equal(await sleeps(await childOf(pids)), false, "the wrapper's child still runs");
});

// (The test's timeout only stops a hang of the old check, which waited for the hung child to exit.)
test(
  "a wrapper around a binary that hangs ends at the check's timeout, its child with it",
  { timeout: 60_000 },
  async () => {
    const { bin, pids } = await wrapper("hang", 'sleep 600 &\necho $! > "$PIDS"\nwait');
    const check = await checkConfig(bin, [await config("hang.cfg", VALID)], 500);
    assert.equal(check.ok, false);
    assert.equal(check.stopped, "haproxy -c timed out after 500 ms");
    assert.equal(check.spawnError, null);
    assert.equal(await sleeps(await childOf(pids)), false, "the wrapper's child still runs");
  },
);
