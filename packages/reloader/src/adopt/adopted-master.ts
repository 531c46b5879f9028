// An HAProxy master that is not our child (adopted after a reloader restart) behind the same interface
// as a spawned one: it cannot be waited on, so its end is seen by polling /proc (a zombie counts as ended).
import type { HaproxyChild, HaproxyExit } from "../haproxy/spawn-haproxy.js";
import { isSameProcessAlive, isSameProcessGone } from "./process-table.js";

// Watch `pid` (this incarnation: `startTime`) every `pollMs`; `exited` resolves once it is gone.
export function adoptedMaster(pid: number, startTime: string, pollMs = 250): HaproxyChild {
  let alive = isSameProcessAlive(pid, startTime);
  let timer: NodeJS.Timeout | null = null;
  const exited = new Promise<HaproxyExit>((resolve) => {
    const check = () => {
      alive = alive && !isSameProcessGone(pid, startTime);
      if (alive) return;
      if (timer) clearInterval(timer);
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
      try {
        return process.kill(pid, name);
      } catch {
        return false;
      }
    },
  };
}
