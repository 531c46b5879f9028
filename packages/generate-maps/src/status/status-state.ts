// What the status listener knows about the loop: the last cycle, the last good one (its table, files
// and their hash), and what the files on disk route. Fed by runLoop's onCycle; one per process.
import { createHash } from "node:crypto";
import type { ClockReading } from "../loop/clock.js";
import type { CycleOutput, CycleResult } from "../main.js";
import type { OutputFiles } from "../output/write-outputs.js";

// The last cycle in short, for /healthz.
export interface CycleSummary {
  ok: boolean;
  /** ms since the epoch when the cycle ended (shown only) */
  at: number;
  durationMs: number;
  /** "read", "write" or "cycle" (an unexpected error) when it failed */
  stage: "read" | "write" | "cycle" | null;
  error: { kind: string; message: string } | null;
}

// A cycle that read metadata: its output, when (`at`: ms since the epoch, shown; `monotonicAt`: the
// monotonic clock, what its age is measured from), and the sha256 of the rendered files.
export interface GoodCycle {
  output: CycleOutput;
  at: number;
  monotonicAt: number;
  outputSha256: string;
}

// The state; `applied` is the last good cycle whose files were not held back by the removal guard.
export interface StatusState {
  /** the monotonic clock at the start */
  readonly startedAt: number;
  lastCycle: CycleSummary | null;
  /** the monotonic clock at the first failed cycle since the last good one (null: the last one was good) */
  failingSince: number | null;
  /** while the loop waits for a change: since when (monotonic clock) and why the long poll and the plain
   * reads of /version between its retries have all failed (null: the last one was answered) */
  waitFailing: { since: number; error: string } | null;
  lastSuccess: GoodCycle | null;
  applied: GoodCycle | null;
}

// A fresh state for a process started at `now` (the monotonic clock).
export function createStatusState(now: number): StatusState {
  return {
    startedAt: now,
    lastCycle: null,
    failingSince: null,
    waitFailing: null,
    lastSuccess: null,
    applied: null,
  };
}

// Records one cycle result at time `now`.
export function recordCycle(state: StatusState, result: CycleResult, now: ClockReading): void {
  const failure = result.ok ? null : result.failure;
  state.lastCycle = {
    ok: result.ok,
    at: now.wall,
    durationMs: result.durationMs,
    stage: result.ok ? null : result.stage,
    error: failure && { kind: failure.kind, message: failure.message },
  };
  state.failingSince = result.ok ? null : (state.failingSince ?? now.monotonic);
  if (result.ok) state.waitFailing = null;
  if (!result.ok) {
    // A write fails only when the guard let the cycle write: a hold shown by the last good cycle is over
    // (released), though the files still route what they did. /healthz, /metrics, /routes and /explain
    // showed it held, with a release time gone by, until a write succeeded.
    const held = state.lastSuccess;
    if (result.stage === "write" && held?.output.guard?.action === "hold")
      state.lastSuccess = { ...held, output: { ...held.output, guard: result.guard } };
    return;
  }
  const good: GoodCycle = {
    output: result,
    at: now.wall,
    monotonicAt: now.monotonic,
    outputSha256: outputSha256(result.files),
  };
  state.lastSuccess = good;
  if (result.guard?.action !== "hold") state.applied = good;
}

// sha256 of backends then map, as `cat haproxy-backends.cfg domain.map | sha256sum` computes it.
export function outputSha256(files: OutputFiles): string {
  return createHash("sha256").update(files.backends.content).update(files.map.content).digest("hex");
}

// Records an interval whose check found the last good cycle still standing (the same version, the files
// as it left them) at time `now`: as good as a refetch for /healthz and the freshness metrics.
export function recordQuiet(state: StatusState, now: ClockReading): void {
  state.waitFailing = null;
  if (state.lastSuccess !== null)
    state.lastSuccess = { ...state.lastSuccess, at: now.wall, monotonicAt: now.monotonic };
}

// Records a long poll (or the plain /version read between its retries) of the loop's wait that failed with
// `error`, or was answered (null), at `now` (the monotonic clock).
export function recordWaitReach(state: StatusState, error: string | null, now: number): void {
  state.waitFailing = error === null ? null : { since: state.waitFailing?.since ?? now, error };
}
