// What the reloader has done so far, in one object a status listener (/healthz, /metrics) can read.
import type { ReloadReason } from "../model/plan-update.js";
import type { RefusedBackend } from "../model/without-clashing-backends.js";
import type { EmptyMap, HttpsBackend, ReloadResult, StaleMap, StatusSnapshot } from "./status-snapshot.js";

// Mutable status, updated by the applier and the supervisor only through these methods.
export class ReloaderStatus {
  private state: StatusSnapshot = {
    haproxyPid: null,
    workerPid: null,
    masterReloads: 0,
    currentGeneration: null,
    runningGeneration: null,
    partialStepsToward: null,
    reloads: { applied: 0, "check-failed": 0, rejected: 0, interrupted: 0, deferred: 0, unconfirmed: 0 },
    restarts: 0,
    lastReloadDurationMs: null,
    lastChangeToAppliedMs: null,
    lastError: null,
    retry: null,
    applyRetries: 0,
    refusedInputs: null,
    reloadsByReason: {},
    runtime: { updates: 0, readbackMismatches: 0, lastReadback: null },
    unlistedTcpPorts: [],
    takenTcpPorts: [],
    httpsWithoutListener: [],
    refusedBackends: [],
    inputWatchProblem: null,
    masterCliSilentSince: null,
    backendsEmptySince: null,
    mapEmpty: null,
    mapStale: null,
    reloadHeld: null,
    reloadHolds: { started: 0, active: false },
  };

  // HAProxy (re)started or stopped (pid null).
  haproxyStarted(pid: number | null): void {
    this.state.haproxyPid = pid;
    if (pid === null) {
      this.state.workerPid = null;
      this.state.runningGeneration = null;
    }
  }

  // A worker generation is confirmed serving: it loaded what `current` points at (`unknown`: an
  // adopted master, whose config is only known once it reloaded).
  workerConfirmed(workerPid: number, masterReloads: number, loaded: "current" | "unknown" = "current"): void {
    this.state.workerPid = workerPid;
    this.state.masterReloads = masterReloads;
    this.state.runningGeneration = loaded === "current" ? this.state.currentGeneration : null;
    this.state.partialStepsToward = null; // a new worker loaded its files: no runtime step on it yet
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
      this.state.refusedInputs = null;
      this.state.retry = null; // live: nothing waits for a retry (said with the report, not after the pass)
    }
    if (error !== undefined) this.state.lastError = error;
  }

  // A reload that is not a change's own switch ended (the revert after a refused fallback snapshot), or
  // the late verdict on one that timed out: counted by result like any other, so the counts match
  // HAProxy's; the pass that ran it reports the rest.
  reloadCounted(result: Extract<ReloadResult, "applied" | "rejected" | "interrupted" | "unconfirmed">): void {
    this.state.reloads[result] += 1;
  }

  // A reload was not confirmed in time: not counted yet (it may still go live); the master's next answer
  // counts it by its verdict (settleLateReload), or `interrupted` when HAProxy exits first.
  reloadUnconfirmed(error: string): void {
    this.state.lastError = error;
  }

  // A change needs a reload, for `reason`.
  reloadFor(reason: ReloadReason): void {
    this.state.reloadsByReason[reason] = (this.state.reloadsByReason[reason] ?? 0) + 1;
  }

  // A change went live through the runtime API: the running worker now runs gen-<n> (`current`).
  runtimeApplied(generation: number, changeToAppliedMs: number | null): void {
    this.state.runtime.updates += 1;
    this.state.currentGeneration = generation;
    this.state.runningGeneration = generation;
    this.state.lastChangeToAppliedMs = changeToAppliedMs;
    this.state.refusedInputs = null;
    this.state.retry = null;
  }

  // Runtime steps toward gen-<n> failed or read back differently: the worker may run part of them until
  // a worker is confirmed again (the fallback reload, a revert, a restart).
  runtimeStepsFailed(generation: number): void {
    this.state.partialStepsToward = generation;
  }

  // A read-back after runtime steps matched the snapshot, or not (`at`: ms since the epoch).
  readback(ok: boolean, at: number, detail: string): void {
    this.state.runtime.lastReadback = { ok, at, detail };
    if (!ok) {
      this.state.runtime.readbackMismatches += 1;
      this.state.lastError = detail;
    }
  }

  // The checks (contract, haproxy -c) refused the inputs with this hash: the same bytes fail again.
  inputsRefused(hash: string, reason: string): void {
    this.state.refusedInputs = { hash, reason };
  }

  // The inputs are not settled yet (the map names a backend not declared yet): not a rejection.
  inputsUnsettled(reason: string): void {
    this.state.lastError = reason;
  }

  // A change did not go live; the applier tries again at `at` (ms since the epoch).
  retryScheduled(attempt: number, at: number, reason: string): void {
    this.state.retry = { attempt, at, reason };
    this.state.applyRetries += 1;
    this.state.lastError = reason;
  }

  // A reload waits for old workers to end (why), or no longer does (null). A retry on record stays: the
  // held pass checked nothing, so a failure before it (haproxy -c could not run) is still unresolved.
  reloadHeld(reason: string | null): void {
    this.state.reloadHeld = reason;
  }

  // A hold of a reload for old workers started (`reload.held`) or ended (`reload.released`), for /metrics.
  reloadHoldActive(active: boolean): void {
    if (active && !this.state.reloadHolds.active) this.state.reloadHolds.started += 1;
    this.state.reloadHolds.active = active;
  }

  // Nothing waits for a retry any more (the change went live, was refused, or the files changed).
  retryCleared(): void {
    this.state.retry = null;
  }

  // HAProxy exited unexpectedly and is being restarted.
  restarted(reason: string): void {
    this.state.restarts += 1;
    this.state.lastError = reason;
  }

  // The TCP backends of the applied files whose ports TCP_PORTS does not list (nothing listens for them).
  // `taken`: those that are the port of another listener, with its option's name.
  tcpPortsUnlisted(
    ports: readonly number[],
    taken: readonly { port: number; listener: string }[] = [],
  ): void {
    this.state.unlistedTcpPorts = [...ports];
    this.state.takenTcpPorts = taken.map((entry) => ({ ...entry }));
  }

  // The backends of the applied files that ask for HTTPS while nothing listens for it (ENABLE_SSL off).
  httpsWithoutListener(backends: readonly HttpsBackend[]): void {
    this.state.httpsWithoutListener = [...backends];
  }

  // The generated backends of the inputs last read that a section of the base config names (left out).
  backendsRefused(refused: readonly RefusedBackend[]): void {
    this.state.refusedBackends = refused.map(({ backend, section, hosts }) => ({
      backend,
      section: `${section.kind} ${section.name}`,
      line: section.line,
      hosts,
    }));
  }

  // The input files' watch failed (why) or works again (null).
  inputWatch(problem: string | null): void {
    this.state.inputWatchProblem = problem;
  }

  // The master's CLI is silent since `since` (ms epoch), or answers (null).
  masterCliSilent(since: number | null): void {
    this.state.masterCliSilentSince = since;
  }

  // The backends file is empty since `since` (ms epoch), reported once that lasted, or written (null).
  backendsEmpty(since: number | null): void {
    this.state.backendsEmptySince = since;
  }

  // The domain map is empty while the backends file declares stack backends, reported once that lasted,
  // or it is not so any more (null).
  mapEmpty(found: EmptyMap | null): void {
    this.state.mapEmpty = found;
  }

  // Stacks of the backends file no line of the (non-empty) domain map reaches, reported once that
  // lasted (and how many at each check since), or none any more (null).
  mapStale(found: StaleMap | null): void {
    this.state.mapStale = found;
  }

  // The generation `current` points at (null: none yet), without a copy of the rest: the snapshot store
  // asks it at each rescan (SnapshotStore.currentHostNameMoved).
  currentGeneration(): number | null {
    return this.state.currentGeneration;
  }

  // A copy, safe to serialise.
  snapshot(): StatusSnapshot {
    return structuredClone(this.state);
  }
}
