// The launcher (bin/generate-maps.js) tunes V8 for a one-shot run: the young generation stays at its
// initial size (such a process faults in every page it grows by, ≈ 13 µs each on one machine measured,
// and exits before reusing it), and on V8 11 (Node 20) V8 optimizes only code that has run ≈ 15 times
// longer than by default (by default a one-shot run at 10 000 containers spent more CPU optimizing the
// model's functions than running them); no flag it sets may be unknown to V8. The same cycle run by
// dist/cli.js itself, without the launcher's flags, shows the tree is large enough for each check to
// mean something. The loop keeps V8's defaults (its cycles reuse the pages and run the same functions
// again and again).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { buildTree, repoPath, startMetadataServer, type ContainerSpec } from "@rancher-haproxy/test-support";
import { tempDir } from "./helpers.js";

const BIN = repoPath("packages", "generate-maps", "bin", "generate-maps.js");
const CLI = repoPath("packages", "generate-maps", "dist", "cli.js");
const MIB = 1024 * 1024;

// Writes V8's new-space size at exit to stderr, as one `NEW_SPACE <bytes>` line.
const PROBE = `import { getHeapSpaceStatistics } from "node:v8";
process.on("exit", () => {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
  process.stderr.write("NEW_SPACE " + String(space?.space_size ?? -1) + "\\n");
});
`;

// The launcher raises the interrupt budget only on V8 11 (Node 20): see bin/generate-maps.js.
const BUDGET_FLAG = process.versions.v8.startsWith("11.");

interface Run {
  code: number | null;
  /** what it wrote to stderr */
  stderr: string;
  /** V8's new space at exit, in bytes */
  newSpace: number;
  /** functions V8 marked for optimization (`--trace-opt` lines on stdout) */
  marked: number;
}

// Runs `node --trace-opt --import <probe> script args` (`loop`: sent SIGTERM once its first cycle is
// logged); resolves with its exit code, the new space's size and how many functions V8 marked.
function runProbed(script: string, args: string[], probe: string, env: Record<string, string>, loop = false) {
  const child = spawn(process.execPath, ["--trace-opt", "--import", probe, script, ...args], {
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
  return new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const match = /^NEW_SPACE (-?\d+)$/m.exec(err);
      resolve({
        code,
        stderr: err,
        newSpace: match ? Number(match[1]) : Number.NaN,
        marked: out.split("\n").filter((line) => line.startsWith("[marking ")).length,
      });
    });
  });
}

test("one-shot runs keep the young generation small and optimize less; without the launcher, or in the loop, V8's defaults hold", async (t) => {
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
  const once = await runProbed(BIN, ["--once"], probe, env("once"));
  const dryRun = await runProbed(BIN, ["--dry-run"], probe, env("dry-run"));
  const bare = await runProbed(CLI, ["--once"], probe, env("cli"));
  const loop = await runProbed(BIN, [], probe, env("loop"), true);
  assert.deepEqual([once.code, dryRun.code, bare.code, loop.code], [0, 0, 0, 0]);
  for (const [name, run] of [
    ["--once", once],
    ["--dry-run", dryRun],
  ] as const) {
    assert.ok(run.newSpace > 0 && run.newSpace <= 2 * MIB, `bin ${name}: new space ${run.newSpace} bytes`);
    // A flag V8 does not know is reported on stderr, on every run.
    assert.doesNotMatch(run.stderr, /unrecognized flag/i, `bin ${name}`);
    if (BUDGET_FLAG)
      assert.ok(
        run.marked * 2 <= bare.marked,
        `bin ${name}: ${run.marked} functions marked for optimization, dist/cli.js --once ${bare.marked}`,
      );
  }
  assert.ok(
    bare.newSpace >= 8 * MIB,
    `dist/cli.js --once: new space ${bare.newSpace} bytes (the tree is too small?)`,
  );
  assert.ok(
    bare.marked >= 20,
    `dist/cli.js --once: only ${bare.marked} functions marked (the tree is too small?)`,
  );
  assert.ok(loop.newSpace >= 8 * MIB, `bin in loop mode: new space ${loop.newSpace} bytes`);
  assert.ok(
    loop.marked * 2 > bare.marked,
    `bin in loop mode: ${loop.marked} functions marked for optimization, dist/cli.js --once ${bare.marked}`,
  );
});
