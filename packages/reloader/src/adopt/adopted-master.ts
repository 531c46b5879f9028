// An HAProxy master that is not our child (adopted after a reloader restart) behind the same interface
// as a spawned one: it cannot be waited on, so its end is seen by polling /proc (a zombie counts as ended).
// Like a spawned one, it is SIGKILLed with its process group, and what is left of the group is killed
// once it is gone: signalled by its pid only, a `program` or check script it started that ignored
// SIGTERM ran on after its stop, and beside the master that replaced it.
import type { HaproxyChild, HaproxyExit } from "../haproxy/spawn-haproxy.js";
import {
  isSameProcessAlive,
  isSameProcessGone,
  killLeftoverGroup,
  killProcessGroup,
  leadsProcessGroup,
} from "./process-table.js";

// Watch `pid` (this incarnation: `startTime`) every `pollMs`; `exited` resolves once it is gone.
export function adoptedMaster(pid: number, startTime: string, pollMs = 250): HaproxyChild {
  let alive = isSameProcessAlive(pid, startTime);
  // (A master a reloader spawned leads its group; one that does not shares it with others: not killed.)
  const group = alive && leadsProcessGroup(pid);
  let timer: NodeJS.Timeout | null = null;
  const exited = new Promise<HaproxyExit>((resolve) => {
    const check = () => {
      alive = alive && !isSameProcessGone(pid, startTime);
      if (alive) return;
      if (timer) clearInterval(timer);
      killLeftoverGroup(pid, group);
      // Not our child: its exit status is not ours to read.
      resolve({ code: null, signal: null, error: "the adopted master is gone (exit status unknown)" });
    };
    timer = setInterval(check, pollMs);
    timer.unref();
    check();
  });
  return {
    pid,
    exited,
    isAlive() {
      alive = alive && !isSameProcessGone(pid, startTime);
      return alive;
    },
    signal(name) {
      if (!this.isAlive()) return false;
      if (name === "SIGKILL" && group) return killProcessGroup(pid);
      try {
        return process.kill(pid, name);
      } catch {
        return false;
      }
    },
  };
}
