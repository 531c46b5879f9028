// `node --cpu-prof` on either program records the whole run: both ignore SIGPROF (IGNORED_SIGNALS), and a
// listener replaced the handler V8's sampler runs on, so a profile stopped at the launcher's first
// statement. Under --cpu-prof or --prof the programs leave SIGPROF to V8.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";

interface Profile {
  nodes: { callFrame: { functionName: string; url: string } }[];
}

// The functions of the program's own code (its bundle or dist/) that the profile sampled.
async function profiledFunctions(program: "generate-maps" | "reloader", argv: string[]): Promise<string[]> {
  assertBuilt(program);
  const dir = await mkdtemp(join(tmpdir(), "rh-cpu-prof-"));
  try {
    const run = spawnSync(
      process.execPath,
      [
        "--cpu-prof",
        "--cpu-prof-interval=100",
        `--cpu-prof-dir=${dir}`,
        repoPath("packages", program, "bin", `${program}.js`),
        ...argv,
      ],
      {
        encoding: "utf8",
        env: {
          PATH: process.env["PATH"] ?? "",
          STACK_DOMAIN: "dev.tld",
          RANCHER_API_HOST: "127.0.0.1:1",
          HAPROXY_DOMAIN_MAP: join(dir, "domain.map"),
          HAPROXY_BACKEND_CONFIG: join(dir, "backends.cfg"),
          LOG_FORMAT: "json",
        },
      },
    );
    assert.notEqual(run.status, null, run.stderr);
    const [file, ...more] = (await readdir(dir)).filter((name) => name.endsWith(".cpuprofile"));
    assert.ok(file !== undefined && more.length === 0, "one profile");
    const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as Profile;
    const ours = repoPath("packages", program, "dist");
    return profile.nodes
      .filter((node) => node.callFrame.url.includes(ours))
      .map((node) => node.callFrame.functionName);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a CPU profile of generate-maps goes on past start-up: its option parse is in it", async () => {
  const functions = await profiledFunctions("generate-maps", ["--once"]);
  assert.ok(functions.includes("parseOptions"), `sampled: ${[...new Set(functions)].join(", ")}`);
});

test("a CPU profile of the reloader goes on past start-up: its option parse is in it", async () => {
  const functions = await profiledFunctions("reloader", ["--log-level", "loud"]);
  assert.ok(
    functions.some((name) => /^(?:parse|resolve|read)/i.test(name)),
    `sampled: ${[...new Set(functions)].join(", ")}`,
  );
});
