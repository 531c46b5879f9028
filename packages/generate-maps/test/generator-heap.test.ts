// The launcher (bin/generate-maps.js) keeps V8's young generation at its initial size in a one-shot run:
// such a process faults in every page the young generation grows by (≈ 13 µs each on the machines
// measured) and exits before reusing it. The same cycle run by dist/cli.js itself, without the launcher's
// flag, grows it: that run shows the tree is large enough for the check to mean something. The loop keeps
// V8's default (its cycles reuse the pages), so its young generation grows.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { buildTree, startMetadataServer, type ContainerSpec } from "@rancher-haproxy/test-support";
import { tempDir } from "./helpers.js";

const BIN = fileURLToPath(new URL("../bin/generate-maps.js", import.meta.url));
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const MIB = 1024 * 1024;

// Writes V8's new-space size at exit to stderr, as one `NEW_SPACE <bytes>` line.
const PROBE = `import { getHeapSpaceStatistics } from "node:v8";
process.on("exit", () => {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  process.stderr.write("NEW_SPACE " + String(space?.space_size ?? -1) + "\\n");
});
`;

// Runs `script args` under the probe (`loop`: sent SIGTERM once its first cycle is logged); resolves with
// its exit code and the new space's size in bytes.
function newSpaceAtExit(
  script: string,
  args: string[],
  probe: string,
  env: Record<string, string>,
  loop = false,
): Promise<{ code: number | null; bytes: number }> {
  const child = spawn(process.execPath, ["--import", probe, script, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  let stopping = false;
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    // Once: a second SIGTERM would kill a loop that is already stopping.
    if (loop && !stopping && out.includes('"event":"cycle"')) stopping = child.kill("SIGTERM");
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const match = /^NEW_SPACE (-?\d+)$/m.exec(err);
      resolve({ code, bytes: match ? Number(match[1]) : Number.NaN });
    });
  });
}

test("one-shot runs keep the young generation at its initial size; without the launcher, or in the loop, it grows", async (t) => {
  const stacks = Array.from({ length: 600 }, (_, s) => ({
    name: `app-${s}`,
    services: [{ name: "web", containers: Array.from({ length: 5 }, (): ContainerSpec => ({ port: 8080 })) }],
  }));
  const server = await startMetadataServer({ tree: buildTree({ stacks }) });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const probe = join(dir, "probe.mjs");
  await writeFile(probe, PROBE);
  const env = (name: string) => ({
    STACK_DOMAIN: "dev.tld",
    RANCHER_API_HOST: server.hostPort,
    HAPROXY_DOMAIN_MAP: join(dir, `${name}.map`),
    HAPROXY_BACKEND_CONFIG: join(dir, `${name}.cfg`),
    BACKEND_NETWORKS: "127.0.0.0/8",
    SYSLOG_HOST: "stdout",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    STATUS_PORT: "0",
  });
  const once = await newSpaceAtExit(BIN, ["--once"], probe, env("once"));
  const dryRun = await newSpaceAtExit(BIN, ["--dry-run"], probe, env("dry-run"));
  const bare = await newSpaceAtExit(CLI, ["--once"], probe, env("cli"));
  const loop = await newSpaceAtExit(BIN, [], probe, env("loop"), true);
  assert.deepEqual([once.code, dryRun.code, bare.code, loop.code], [0, 0, 0, 0]);
  for (const [name, run] of [
    ["--once", once],
    ["--dry-run", dryRun],
  ] as const)
    assert.ok(run.bytes > 0 && run.bytes <= 2 * MIB, `bin ${name}: new space ${run.bytes} bytes`);
  assert.ok(
    bare.bytes >= 8 * MIB,
    `dist/cli.js --once: new space ${bare.bytes} bytes (the tree is too small?)`,
  );
  assert.ok(loop.bytes >= 8 * MIB, `bin in loop mode: new space ${loop.bytes} bytes`);
});
