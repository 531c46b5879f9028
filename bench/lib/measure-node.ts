// Runs a Node script as a real child with the usage preload and reports what it cost: wall time from
// spawn to exit, its own user + system CPU and peak RSS (process.resourceUsage() at its exit).
import { spawn } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PRELOAD = fileURLToPath(new URL("../probes/usage-preload.mjs", import.meta.url));

// One measured run.
export interface NodeRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  userMs: number;
  systemMs: number;
  maxRssMb: number;
  /** the child's stdout, kept in a file so writing it costs the child what a file would */
  stdout: string;
}

// Run `node <script> <args>` in `workDir` (which receives usage.json and stdout.txt) and measure it.
export async function measureNode(
  script: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  workDir: string,
): Promise<NodeRun> {
  const usageFile = join(workDir, "usage.json");
  const stdoutFile = join(workDir, "stdout.txt");
  const out = openSync(stdoutFile, "w");
  const started = performance.now();
  try {
    const child = spawn(process.execPath, ["--import", PRELOAD, script, ...args], {
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", ...env, RH_BENCH_USAGE_FILE: usageFile },
      stdio: ["ignore", out, "inherit"],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (exitCode) => resolve(exitCode));
    });
    const wallMs = performance.now() - started;
    const usage = JSON.parse(readFileSync(usageFile, "utf8")) as {
      userMs: number;
      systemMs: number;
      maxRssKb: number;
    };
    return {
      code,
      wallMs,
      cpuMs: usage.userMs + usage.systemMs,
      userMs: usage.userMs,
      systemMs: usage.systemMs,
      maxRssMb: usage.maxRssKb / 1024,
      stdout: readFileSync(stdoutFile, "utf8"),
    };
  } finally {
    closeSync(out);
  }
}
