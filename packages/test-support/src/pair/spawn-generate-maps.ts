// Run the real `generate-maps` CLI as a child process (tests, the demo, benchmarks): JSON log lines
// collected and awaitable, and a stop that always ends it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { repoPath, repoRoot } from "../repo-root.js";
import { assertBuilt } from "./assert-built.js";
import { wrapLoggedChild, type LoggedChild } from "./logged-child.js";

// How to run it: flags, environment (on top of PATH/HOME only) and which build.
export interface SpawnGenerateMapsOptions {
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** "dist" runs bin/generate-maps.js (default); "src" runs packages/generate-maps/src/cli.ts through tsx */
  entry?: "src" | "dist";
  /** echo every line to stderr (or set RH_TEST_ECHO=1) */
  echo?: boolean;
  /** its own process group, so a terminal's Ctrl-C reaches only the parent (which stops it itself) */
  detached?: boolean;
  /** every raw output line (e.g. to append it to a log file) */
  onLine?: (line: string) => void;
}

// A running generate-maps child.
export type GenerateMapsProcess = LoggedChild;

// Start `generate-maps` (not awaited: wait for its "start" or "cycle" event).
export function spawnGenerateMaps(options: SpawnGenerateMapsOptions = {}): GenerateMapsProcess {
  const entry = options.entry ?? "dist";
  if (entry === "dist" && !existsSync(repoPath("packages", "generate-maps", "dist", "cli.js")))
    throw new Error("packages/generate-maps/dist is missing: run `npx tsc -b` first");
  if (entry === "dist") assertBuilt("generate-maps");
  const argv =
    entry === "src"
      ? ["--import", "tsx", repoPath("packages", "generate-maps", "src", "cli.ts")]
      : [repoPath("packages", "generate-maps", "bin", "generate-maps.js")];
  // STATUS_PORT=0: an ephemeral status port (logged in status.listening), so parallel tests never collide.
  // BACKEND_NETWORKS: the tests' backends listen on loopback, which is never routed unless allowed
  // explicitly (a test of the default passes BACKEND_NETWORKS: "" in `env`).
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    LOG_FORMAT: "json",
    STATUS_PORT: "0",
    BACKEND_NETWORKS: "127.0.0.0/8",
  };
  if (process.env["HOME"]) env["HOME"] = process.env["HOME"];
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [...argv, ...(options.args ?? [])], {
    cwd: repoRoot(),
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  return wrapLoggedChild(child, {
    label: "generate-maps",
    echo: options.echo ?? process.env["RH_TEST_ECHO"] === "1",
    onLine: options.onLine,
  });
}
