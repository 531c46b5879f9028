// A short HAProxy command (`haproxy -c`, `haproxy -vv`) run so that it ends with the binary: a
// `--haproxy-bin` wrapper script's child that holds the output pipe (a hung `haproxy` it did not exec,
// something it left in the background) would otherwise keep execa's read, and the caller, waiting as long
// as that child lives, past the timeout.
import type { ChildProcess } from "node:child_process";
import { execa, type Options, type ResultPromise } from "execa";
import { killProcessGroup } from "../adopt/process-table.js";

// The leaders of the groups still running, killed on the reloader's exit: detached, execa's `cleanup` no
// longer ends them. One listener for all, not one each (many checks at once would warn of a leak).
const running = new Set<number>();
let exitListened = false;

function killRunning(): void {
  for (const pid of running) killProcessGroup(pid);
}

type OwnGroup = { detached: true; killSignal: "SIGKILL" };

// Run `<bin> <args>` with `options`, detached in a process group of its own, which is SIGKILLed once the
// binary exits or is ended (a timeout or maxBuffer: killSignal SIGKILL, as the shell of a wrapper ignores
// nothing else it is sent) and on the reloader's exit while it runs. Returns execa's subprocess.
export function runInOwnGroup<O extends Options>(
  bin: string,
  args: readonly string[],
  options: O,
): ResultPromise<O & OwnGroup> {
  const own: O & OwnGroup = { ...options, detached: true, killSignal: "SIGKILL" };
  const subprocess = execa(bin, args, own);
  // (A ChildProcess, whose events execa's types do not show for options of a generic type.)
  const child: ChildProcess = subprocess as unknown as ChildProcess;
  const pid = child.pid;
  // (No pid: it could not be spawned, and there is no group.)
  if (pid !== undefined) {
    running.add(pid);
    if (!exitListened) {
      exitListened = true;
      process.on("exit", killRunning);
    }
    child.once("exit", () => {
      running.delete(pid);
      killProcessGroup(pid);
    });
  }
  return subprocess;
}
