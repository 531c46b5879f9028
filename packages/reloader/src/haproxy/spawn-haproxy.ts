// Spawn HAProxy in master-worker mode as a child (no daemon, no pidfile dance), its output line by line.
import { execa } from "execa";
import { killProcessGroup } from "../adopt/process-table.js";
import { within } from "./describe-start-failure.js";
import { forwardLines } from "./forward-lines.js";

// How long the master's exit waits for its output pipes to close (its last lines read).
const OUTPUT_GRACE_MS = 500;

// How the master ended.
export interface HaproxyExit {
  code: number | null;
  signal: string | null;
  error: string | null;
}

// A running master: its pid, a promise of its end, and a way to signal it.
export interface HaproxyChild {
  pid: number;
  exited: Promise<HaproxyExit>;
  signal(name: NodeJS.Signals): boolean;
  isAlive(): boolean;
}

// The argv of a master-worker HAProxy loading `files` with its master CLI on `masterSocket` (0600).
export function haproxyArgs(masterSocket: string, files: readonly string[]): string[] {
  return ["-W", "-S", `${masterSocket},mode,600`, ...files.flatMap((file) => ["-f", file])];
}

// Start `bin args`; every stdout/stderr line goes to onLine, unless `stdoutFd` is given: then stdout goes
// to that descriptor (the state dir's FIFO, read elsewhere). Throws when the binary cannot be started.
export async function spawnHaproxy(
  bin: string,
  args: readonly string[],
  onLine: (stream: "stdout" | "stderr", line: string) => void,
  stdoutFd?: number,
): Promise<HaproxyChild> {
  // Its own process group: a Ctrl-C or group signal meant for the reloader must not hard-stop HAProxy
  // behind the graceful stop; the reloader signals it itself (and kills it if it dies: see cli.ts).
  const subprocess = execa(bin, args, {
    reject: false,
    buffer: false,
    stdin: "ignore",
    // execa's types list only descriptors 1 to 9; it passes any open one on to child_process.
    stdout: stdoutFd === undefined ? "pipe" : (stdoutFd as 3),
    detached: true,
  });
  let alive = true;
  // execa's result comes once the output pipes close too, and a process HAProxy started (a `program`
  // section, an external check) keeps them open after the master died: a crashed master was seen only
  // when that process ended (never restarted meanwhile), and a stop's SIGKILL waited for it unbounded.
  const finished = subprocess.then((result): HaproxyExit => ({
    code: result.exitCode ?? null,
    signal: result.signal ?? null,
    error:
      result.exitCode === undefined && result.signal === undefined
        ? (result.originalMessage ?? result.shortMessage ?? "unknown error")
        : null,
  }));
  const exited = new Promise<HaproxyExit>((resolve) => {
    subprocess.once("exit", (code, signal) => {
      alive = false;
      // What is left of its group (it leads one: detached): a `program` or check script that outlived it,
      // orphaned, ran on beside the next master (a stop left one that ignored SIGTERM).
      if (subprocess.pid !== undefined) killProcessGroup(subprocess.pid);
      // Its last output lines are still read, up to OUTPUT_GRACE_MS.
      void within(finished, OUTPUT_GRACE_MS).then((end) => resolve(end ?? { code, signal, error: null }));
    });
    void finished.then((end) => {
      alive = false;
      resolve(end);
    });
  });
  if (subprocess.stdout) forwardLines(subprocess.stdout, (line) => onLine("stdout", line));
  if (subprocess.stderr) forwardLines(subprocess.stderr, (line) => onLine("stderr", line));
  const pid = subprocess.pid;
  if (pid === undefined) {
    const end = await exited;
    throw new Error(`cannot start ${bin}: ${end.error ?? "no pid"}`);
  }
  return {
    pid,
    exited,
    isAlive: () => alive,
    signal(name) {
      if (!alive) return false;
      // SIGKILL (the master cannot stop what it started): its process group, what it started too.
      if (name === "SIGKILL") return killProcessGroup(pid);
      try {
        return process.kill(pid, name);
      } catch {
        return false;
      }
    },
  };
}
