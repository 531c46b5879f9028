// The workers a stop's first SIGUSR1 surely reaches: those the master listed when it last answered
// `show proc` to the supervisor (a start's or reload's confirmation, an adoption, a probe), as long as
// no start, restart or reload of the supervisor's own went out since. The stop seeds its watch with them
// (soft-stop-new-workers.ts), so an ordinary stop sends SIGUSR1 once, and logs no haproxy.soft-stop-again.
import type { ProcInfo } from "@rancher-haproxy/core";

// What the master listed when it last answered settled: its current workers and its reload count (one
// more re-execution since, a refused one included, may have lost a SIGUSR1 sent to those workers).
export interface Settled {
  pids: readonly number[];
  reloads: number;
}

// Known only while the master is known to be in its loop: a master that re-executes (a reload in flight,
// refused ones too) loses the SIGUSR1 (HAProxy 2.6), and may keep or replace the workers listed before.
export class SettledWorkers {
  private settled: Settled | null = null;

  // The worker pids the master listed and its reload count, or null (not known: the stop resends to the
  // first answer's workers too).
  known(): Settled | null {
    return this.settled;
  }

  // The master answered `show proc` with `info`, nothing of the supervisor's in flight; null: silent.
  note(info: ProcInfo | null): void {
    this.settled =
      info === null ? null : { pids: info.workers.map((worker) => worker.pid), reloads: info.reloads };
  }

  // A start, restart or reload goes out, or the master exited: not known until it answers again.
  forget(): void {
    this.settled = null;
  }
}
