// The workers a stop's first SIGUSR1 surely reaches: those the master listed when it last answered
// `show proc` to the supervisor (a start's or reload's confirmation, an adoption, a probe), as long as
// no start, restart or reload of the supervisor's own went out since. The stop seeds its watch with them
// (soft-stop-new-workers.ts), so an ordinary stop sends SIGUSR1 once, and logs no haproxy.soft-stop-again.
import type { ProcInfo } from "@rancher-haproxy/core";

// Known only while the master is known to be in its loop: a master that re-executes (a reload in flight,
// refused ones too) loses the SIGUSR1 (HAProxy 2.6), and may keep or replace the workers listed before.
export class SettledWorkers {
  private pids: readonly number[] | null = null;

  // The worker pids the master listed, or null (not known: the stop resends to the first answer's too).
  known(): readonly number[] | null {
    return this.pids;
  }

  // The master answered `show proc` with `info`, nothing of the supervisor's in flight; null: silent.
  note(info: ProcInfo | null): void {
    this.pids = info === null ? null : info.workers.map((worker) => worker.pid);
  }

  // A start, restart or reload goes out, or the master exited: not known until it answers again.
  forget(): void {
    this.pids = null;
  }
}
