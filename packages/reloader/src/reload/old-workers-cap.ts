// The bound on old HAProxy workers a reload may add to: each reload leaves the previous worker running
// until its last connection ends or `hard-stop-after` cuts it, so reloads faster than connections end
// stack up workers (a writer of the shared volume alternating two inputs reloaded 4.7 times a second:
// 140 workers, 830 MiB, 2 100 file descriptors with a held connection each, at the default 30 s).

// A reload waits (its change is coalesced with later ones) while this many old workers still run.
export const MAX_OLD_WORKERS = 20;

// How often a held reload asks the master again whether an old worker ended.
export const HELD_RECHECK_MS = 1000;

// Why a reload waits, for the log and /healthz, with the base config's `hard-stop-after` (null: it sets
// none, as a --config may not: the wait then lasts as long as the old workers' connections, hours with
// long-lived ones, and the reason says so instead of naming a bound that is not there).
export function heldReason(oldWorkers: number, hardStopAfter: string | null): string {
  const waits =
    `${oldWorkers} old HAProxy workers still finish their connections (at most ${MAX_OLD_WORKERS}): ` +
    "the reload waits until one ends";
  return hardStopAfter === null
    ? `${waits}, which may take as long as their connections last: the base config (--config) sets no ` +
        "hard-stop-after to cut them (add one to its global section)"
    : `${waits} (hard-stop-after ${hardStopAfter} bounds the wait)`;
}
