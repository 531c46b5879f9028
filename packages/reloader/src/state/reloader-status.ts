// What the reloader has done so far, in one object a status listener (/healthz, /metrics) can read.

// Results a reload attempt can have.
export type ReloadResult = "applied" | "check-failed" | "rejected" | "interrupted" | "deferred";

// A plain copy of the status for JSON answers and tests.
export interface StatusSnapshot {
  haproxyPid: number | null;
  workerPid: number | null;
  /** the master's reload counter: the worker generation */
  masterReloads: number;
  /** the snapshot generation `current` points at */
  currentGeneration: number | null;
  /** the generation the running worker was confirmed with (`current` moves before a reload is confirmed) */
  runningGeneration: number | null;
  reloads: Record<ReloadResult, number>;
  restarts: number;
  lastReloadDurationMs: number | null;
  lastChangeToAppliedMs: number | null;
  lastError: string | null;
}

// Mutable status, updated by the applier and the supervisor only through these methods.
export class ReloaderStatus {
  private state: StatusSnapshot = {
    haproxyPid: null,
    workerPid: null,
    masterReloads: 0,
    currentGeneration: null,
    runningGeneration: null,
    reloads: { applied: 0, "check-failed": 0, rejected: 0, interrupted: 0, deferred: 0 },
    restarts: 0,
    lastReloadDurationMs: null,
    lastChangeToAppliedMs: null,
    lastError: null,
  };

  // HAProxy (re)started or stopped (pid null).
  haproxyStarted(pid: number | null): void {
    this.state.haproxyPid = pid;
    if (pid === null) {
      this.state.workerPid = null;
      this.state.runningGeneration = null;
    }
  }

  // A worker generation is confirmed serving: it loaded what `current` points at.
  workerConfirmed(workerPid: number, masterReloads: number): void {
    this.state.workerPid = workerPid;
    this.state.masterReloads = masterReloads;
    this.state.runningGeneration = this.state.currentGeneration;
  }

  // `current` now points at this generation.
  currentIs(generation: number): void {
    this.state.currentGeneration = generation;
  }

  // One reload attempt ended.
  reloadEnded(
    result: ReloadResult,
    durationMs: number | null,
    changeToAppliedMs: number | null,
    error?: string,
  ): void {
    this.state.reloads[result] += 1;
    if (result === "applied") {
      this.state.lastReloadDurationMs = durationMs;
      this.state.lastChangeToAppliedMs = changeToAppliedMs;
    }
    if (error !== undefined) this.state.lastError = error;
  }

  // HAProxy exited unexpectedly and is being restarted.
  restarted(reason: string): void {
    this.state.restarts += 1;
    this.state.lastError = reason;
  }

  // A copy, safe to serialise.
  snapshot(): StatusSnapshot {
    return structuredClone(this.state);
  }
}
