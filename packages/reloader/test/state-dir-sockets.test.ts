// The state dir's length limit is HAProxy's own: a master CLI at `<dir>/master.sock` binds with a dir of
// MAX_STATE_DIR bytes and fails with one byte more (HAProxy 2.6 binds `<path>.<pid>.tmp` first and allows
// 97 bytes), so resolveOptions refuses exactly the dirs HAProxy would refuse at start.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "@rancher-haproxy/test-support";
import { MAX_STATE_DIR } from "../src/options/resolve-options.ts";

// Starts `haproxy -W -S <dir>/master.sock` on an empty config; resolves with whether the master CLI came up
// (the master is stopped either way) and what HAProxy printed.
async function masterCliBinds(dir: string, config: string): Promise<{ up: boolean; output: string }> {
  const socket = join(dir, "master.sock");
  const child = spawn("haproxy", ["-W", "-S", `${socket},mode,600`, "-f", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  let up = false;
  // Done once the socket exists or HAProxy has exited (a poll left running would hold the file 10 s).
  const bound = () =>
    stat(socket).then(
      () => true,
      () => false,
    );
  await waitFor(async () => (up = await bound()) || child.exitCode !== null, {
    timeoutMs: 10_000,
    message: "the master CLI socket, or HAProxy's exit",
  });
  if (child.exitCode === null) {
    child.kill("SIGTERM");
    await exited;
  }
  return { up, output };
}

test(`a state dir of ${MAX_STATE_DIR} bytes holds HAProxy's master CLI; one byte more does not`, async (t) => {
  const base = await mkdtemp(join(tmpdir(), "rh-sock-"));
  t.after(() => rm(base, { recursive: true, force: true }));
  const config = join(base, "haproxy.cfg");
  await writeFile(config, "global\n    log stdout format raw local0\ndefaults\n    mode http\n");
  const dirOf = async (bytes: number) => {
    const dir = join(base, "d".repeat(bytes - base.length - 1));
    assert.equal(Buffer.byteLength(dir), bytes);
    await mkdir(dir);
    return dir;
  };
  const fits = await masterCliBinds(await dirOf(MAX_STATE_DIR), config);
  assert.ok(fits.up, `the master CLI binds at ${MAX_STATE_DIR} bytes: ${fits.output}`);
  const over = await masterCliBinds(await dirOf(MAX_STATE_DIR + 1), config);
  assert.equal(over.up, false);
  assert.match(over.output, /too long/);
});
