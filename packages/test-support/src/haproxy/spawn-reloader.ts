// Run the real `reloader` CLI as a child process for tests: JSON log lines collected and awaitable,
// and a stop that always leaves no reloader and no HAProxy behind.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { assertBuilt } from "../pair/assert-built.js";
import { repoPath, repoRoot } from "../repo-root.js";
import {
  wrapLoggedChild,
  type LogLine,
  type LoggedChild,
  type ProcessExit,
  type WaitEventOptions,
} from "../pair/logged-child.js";

export type { LogLine, ProcessExit, WaitEventOptions };

// How to run it: flags, environment (on top of PATH/HOME only) and which build.
export interface SpawnReloaderOptions {
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  /**
   * "dist" runs bin/reloader.js (default, as spawnGenerateMaps: `npm test` builds first, and a start costs
   * about half the CPU of one through tsx); "src" runs packages/reloader/src/cli.ts through tsx
   */
  entry?: "src" | "dist";
  /** echo every line to stderr (or set RH_TEST_ECHO=1) */
  echo?: boolean;
  /** its own process group, so a terminal's Ctrl-C reaches only the parent (the demo stops it itself) */
  detached?: boolean;
  /** every raw output line (e.g. to append it to a log file) */
  onLine?: (line: string) => void;
  /** a command that runs node in its place, given node's argv (e.g. `unshare -U -r`): it must exec node */
  wrap?: readonly string[];
}

// A running reloader child.
export interface ReloaderProcess extends LoggedChild {
  /** HAProxy master pids this reloader started */
  haproxyPids(): number[];
  /** signal (SIGTERM by default), wait; SIGKILL after timeoutMs; then kill leftover HAProxy masters */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ProcessExit>;
}

// Start `reloader` (it is not awaited to be ready: wait for the "reloader.ready" event).
export function spawnReloader(options: SpawnReloaderOptions = {}): ReloaderProcess {
  const entry = options.entry ?? "dist";
  const argv =
    entry === "src"
      ? ["--import", "tsx", repoPath("packages", "reloader", "src", "cli.ts")]
      : [repoPath("packages", "reloader", "bin", "reloader.js")];
  if (entry === "dist" && !existsSync(repoPath("packages", "reloader", "dist", "cli.js")))
    throw new Error("packages/reloader/dist is missing: run `npx tsc -b` first");
  if (entry === "dist") assertBuilt("reloader");
  // Debian installs haproxy in /usr/sbin, which a non-root PATH may lack.
  const path = `${process.env["PATH"] ?? "/usr/bin:/bin"}:/usr/sbin:/usr/local/sbin`;
  // STATUS_PORT=0: an ephemeral status port (logged in status.listening), so parallel tests never collide.
  const env: Record<string, string> = { PATH: path, LOG_FORMAT: "json", STATUS_PORT: "0" };
  if (process.env["HOME"]) env["HOME"] = process.env["HOME"];
  Object.assign(env, options.env);
  const [command = process.execPath, ...wrapArgs] = [...(options.wrap ?? []), process.execPath];
  const child = spawn(command, [...wrapArgs, ...argv, ...(options.args ?? [])], {
    cwd: repoRoot(),
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  const logged = wrapLoggedChild(child, {
    label: "reloader",
    echo: options.echo ?? process.env["RH_TEST_ECHO"] === "1",
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const haproxyPids = () =>
    logged.logs
      .filter((line) => line.event === "haproxy.started" && typeof line["pid"] === "number")
      .map((line) => line["pid"] as number);
  return {
    ...logged,
    haproxyPids,
    async stop(stopOptions = {}) {
      const exit = await logged.stop(stopOptions);
      for (const pid of haproxyPids()) killIfAlive(pid);
      return exit;
    },
  };
}

// Kill a leftover HAProxy master, checking /proc first so a reused pid is never hit.
function killIfAlive(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("haproxy")) return;
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
