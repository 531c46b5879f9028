// The original's reload technique, kept only to compare against: `haproxy -c`, then
// `haproxy -D -p pidfile -f ... -sf $(cat pidfile)` (a new daemon per reload, no socket transfer).
// Every pid the pidfile ever named is remembered so stop() leaves no daemon behind.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { HAPROXY_BIN } from "./haproxy-bin.js";

const run = promisify(execFile);

// A daemonised HAProxy driven the original way.
export interface DaemonHaproxy {
  /** check the files, then start a new daemon that soft-stops the previous one; resolves when it returned */
  reload(): Promise<void>;
  /** kill every daemon this object started (SIGKILL after a soft stop) */
  stop(): Promise<void>;
}

// Start the first daemon with `configs` (-f each, in order) and its pidfile.
export async function startDaemonHaproxy(
  configs: readonly string[],
  pidFile: string,
): Promise<DaemonHaproxy> {
  const files = configs.flatMap((config) => ["-f", config]);
  const seen = new Set<number>();
  const readPids = async () => {
    const pids = (await readFile(pidFile, "utf8"))
      .split(/\s+/)
      .filter((word) => /^\d+$/.test(word))
      .map(Number);
    for (const pid of pids) seen.add(pid);
    return pids;
  };
  await run(HAPROXY_BIN, ["-D", "-p", pidFile, ...files]);
  await readPids();
  return {
    async reload() {
      await run(HAPROXY_BIN, ["-c", "-q", ...files]);
      const old = await readPids();
      await run(HAPROXY_BIN, ["-D", "-p", pidFile, ...files, "-sf", ...old.map(String)]);
      await readPids();
    },
    async stop() {
      await readPids().catch(() => []);
      for (const pid of seen) signalHaproxy(pid, "SIGUSR1");
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const pid of seen) signalHaproxy(pid, "SIGKILL");
    },
  };
}

// Signal a pid only while /proc says it is still an haproxy (a reused pid is never hit).
function signalHaproxy(pid: number, signal: NodeJS.Signals): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("haproxy")) return;
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}
