// Turns input changes into snapshots applied one at a time: runtime-API steps read back when the plan
// allows (model/plan-update.ts), else a checked, confirmed reload; changes that arrive during a pass
// collapse into one more pass. A change counts as done only once it is live
// (or the checks refused it, which they do again for the same bytes): a reload that is refused, times
// out or is interrupted, and a pass that throws, is tried again with backoff until it goes live. A map
// naming a backend the backends file does not declare yet is "not settled" (the generator is between its
// writes, or died there): read again after the debounce, doubling to 5 s, never a rejection.
import { createHash } from "node:crypto";
import type { Logger, SharedTable } from "@rancher-haproxy/core";
import type { CheckResult } from "../haproxy/check-config.js";
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import { planUpdate, type AppliedState, type ReloadReason, type UpdatePlan } from "../model/plan-update.js";
import { readInputFile, readInputs, type InputFiles, type InputPaths } from "../sources/read-inputs.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { applyRuntime } from "./apply-runtime.js";
import { chooseStartSnapshot } from "./choose-start-snapshot.js";
import { reportRuntime } from "./report-runtime.js";
import { reportSwitch } from "./report-switch.js";
import { reportUnreadable } from "./report-unreadable.js";
import { RetryBackoff } from "./retry-backoff.js";
import type { SnapshotStore } from "./snapshot-store.js";

// What the applier works with.
export interface ApplierOptions {
  store: SnapshotStore;
  inputs: InputPaths;
  logger: Logger;
  status: ReloaderStatus;
  supervisor: HaproxySupervisor;
  /** first re-read delay of inputs that are not settled yet (the debounce) */
  retryMs: number;
  /** apply changes within existing backends through the runtime API (false: every change reloads) */
  runtimeUpdates: boolean;
  /** server slots per backend block */
  slotsPerBlock: number;
  /** how long one runtime-API command may take before the change falls back to a reload */
  runtimeTimeoutMs?: number;
  /** sees the backends file of every change that passed the contract check (the TCP port report) */
  onChecked?: (backends: Buffer) => void;
}

// What a worker runs: confirmed by a reload or a start from gen-<n>, then kept up to date by runtime steps.
interface KnownState {
  workerPid: number;
  generation: number;
  state: AppliedState;
}

/** a failed change is tried again after 0.5 s, doubling up to 30 s, for as long as it fails */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;
const UNSETTLED_MAX_MS = 5000;

// What one pass leaves behind: nothing to do until the files change, or a retry (and why).
type PassOutcome = { retry: null } | { retry: string; unsettled?: boolean };
const DONE: PassOutcome = { retry: null };

// The change pipeline: read → stage gen-<n> → haproxy -c → switch `current` + reload → confirm.
export class ConfigApplier {
  /** the inputs' hash once settled: live in HAProxy, or refused by the checks */
  private settledHash: string | null = null;
  /** the snapshot `current` was last moved to for a change, and that change's hash */
  private switched: { generation: number; hash: string } | null = null;
  private readonly backoff = new RetryBackoff(RETRY_FIRST_MS, RETRY_MAX_MS);
  private readonly unsettledBackoff: RetryBackoff;
  /** the unsettled inputs last reported (one log line per content) */
  private unsettledHash: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  private pending = false;
  private changeSince: number | null = null;
  /** what the running worker runs, when known (null: the next change reloads) */
  private known: KnownState | null = null;
  /** the snapshot prepareInitial staged from the inputs, for the first pass after the start */
  private startState: { generation: number; state: AppliedState } | null = null;

  constructor(private readonly options: ApplierOptions) {
    this.unsettledBackoff = new RetryBackoff(Math.max(options.retryMs, 50), UNSETTLED_MAX_MS);
  }

  // Point `current` at what HAProxy should start from (see chooseStartSnapshot); the change counts as
  // live once HAProxy confirms it runs that snapshot.
  async prepareInitial(): Promise<number> {
    const { logger, store, inputs, status } = this.options;
    const read = await readInputs(inputs);
    let generation: number;
    if (read.ok) {
      const start = await chooseStartSnapshot(store, read.files, read.files.base, logger);
      generation = start.generation;
      if (start.refused === null) {
        this.switched = { generation, hash: read.files.hash };
        if (start.staged)
          this.startState = { generation, state: { baseHash: hashBase(read.files.base), ...start.staged } };
        this.options.onChecked?.(read.files.backends);
      } else if (!start.unsettled) this.refused(read.files.hash, start.refused);
    } else {
      reportUnreadable(read, this.options.logger, this.options.status);
      const base = await readInputFile(inputs.base);
      generation = (await chooseStartSnapshot(store, null, base.ok ? base.bytes : null, logger)).generation;
    }
    status.currentIs(generation);
    return generation;
  }

  // A debounced file event, a rescan or a retry arrived; `since` is when the first event of the burst came.
  notifyChange(since: number | null = null): void {
    if (this.closed) return;
    if (since !== null && this.changeSince === null) this.changeSince = since;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.loop();
  }

  // Resolves when no pass is running or queued.
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  // No more passes or retries (the reloader is stopping).
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.pending = false;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = null;
        const since = this.changeSince;
        this.changeSince = null;
        const outcome = await this.applyOnce(since).catch((error: unknown): PassOutcome => {
          this.settledHash = null;
          this.options.logger.error({ event: "apply.error", err: String(error) }, "applying a change failed");
          return { retry: `applying a change failed: ${String(error)}` };
        });
        if (!("unsettled" in outcome)) this.unsettledBackoff.reset();
        if (outcome.retry === null) {
          this.backoff.reset();
          this.options.status.retryCleared();
        } else if (this.pending) continue;
        else if ("unsettled" in outcome) this.scheduleReread();
        else this.scheduleRetry(outcome.retry);
      } while (this.pending && !this.closed);
    } finally {
      this.running = null;
    }
  }

  private async applyOnce(since: number | null): Promise<PassOutcome> {
    const { logger, status, store } = this.options;
    const read = await readInputs(this.options.inputs);
    if (!read.ok) {
      reportUnreadable(read, logger, status);
      this.settledHash = null; // the same content, once readable again, is applied
      return DONE;
    }
    const { hash } = read.files;
    if (hash === this.settledHash) {
      logger.debug({ event: "inputs.unchanged" }, "inputs unchanged");
      return DONE;
    }
    if (this.switched?.hash === hash && status.snapshot().runningGeneration === this.switched.generation) {
      // HAProxy (re)started from this change's snapshot: it is live without a reload.
      this.settledHash = hash;
      const workerPid = status.snapshot().workerPid;
      if (this.startState?.generation === this.switched.generation && workerPid !== null)
        this.known = { workerPid, ...this.startState };
      this.startState = null;
      logger.info(
        { event: "inputs.live", generation: this.switched.generation, inputsHash: hash },
        `HAProxy runs gen-${this.switched.generation}: the change is live`,
      );
      return DONE;
    }
    const started = performance.now();
    const validated = store.validate(read.files);
    if (!validated.ok && validated.unsettled === true) return this.unsettled(hash, validated.reason);
    this.unsettledHash = null;
    if (!validated.ok) {
      status.reloadEnded("check-failed", null, null, validated.reason);
      this.refused(hash, validated.reason);
      return DONE;
    }
    const next = { baseHash: hashBase(read.files.base), table: validated.table };
    this.options.onChecked?.(read.files.backends);
    const plan = planUpdate(this.knownState(), next, {
      slotsPerBlock: this.options.slotsPerBlock,
      runtimeUpdates: this.options.runtimeUpdates,
    });
    if (plan.kind === "runtime") return this.applyRuntimePlan(plan, read.files, next.table, started, since);
    logger.info(
      { event: "reload.planned", reason: plan.reason, detail: plan.detail },
      `the change needs a reload: ${plan.detail}`,
    );
    const checked = await store.stageChecked(read.files, validated.table, plan.slots);
    if (!checked.ok) {
      status.reloadEnded("check-failed", null, null, checked.reason);
      this.refused(hash, checked.reason);
      return DONE;
    }
    const state = { ...next, slots: checked.slots };
    return this.reloadTo(checked.generation, hash, checked.check, state, plan.reason, started, since);
  }

  // What the running worker runs, if it is the one the last apply was confirmed on.
  private knownState(): AppliedState | null {
    const { workerPid, runningGeneration } = this.options.status.snapshot();
    const known = this.known;
    if (known === null || known.workerPid !== workerPid || known.generation !== runningGeneration)
      return null;
    return known.state;
  }

  // Stage the change as gen-<n>, point `current` at it, then the runtime steps and their read-back; an
  // unexpected answer, a timeout or a read-back difference reloads from that snapshot.
  private async applyRuntimePlan(
    plan: Extract<UpdatePlan, { kind: "runtime" }>,
    files: InputFiles,
    table: SharedTable,
    started: number,
    since: number | null,
  ): Promise<PassOutcome> {
    const { logger, status, supervisor, store } = this.options;
    const known = this.known;
    if (known === null) throw new Error("a runtime plan without a known state");
    const state: AppliedState = { baseHash: known.state.baseHash, table, slots: plan.slots };
    const generation = await store.stage(files, table, plan.slots);
    this.settledHash = null;
    this.switched = null;
    await store.makeCurrent(generation);
    status.currentIs(generation);
    const outcome = await applyRuntime(plan, table, {
      supervisor,
      masterSocket: store.layout.masterSocket,
      workerPid: known.workerPid,
      timeoutMs: this.options.runtimeTimeoutMs ?? 2000,
    });
    reportRuntime(
      outcome,
      { generation, inputsHash: files.hash, workerPid: known.workerPid, started, since, logger, status },
      Date.now(),
    );
    if (outcome.ok) {
      this.known = { workerPid: known.workerPid, generation, state };
      this.switched = { generation, hash: files.hash };
      this.settledHash = files.hash;
      await store.prune();
      return DONE;
    }
    this.known = null;
    const check = await store.check(generation);
    if (!check.ok) {
      await store.makeCurrent(known.generation);
      status.currentIs(known.generation);
      status.reloadEnded("check-failed", null, null, check.reason);
      return { retry: check.reason };
    }
    return this.reloadTo(generation, files.hash, check.check, state, "runtime-fallback", started, since);
  }

  // Switch `current` to a checked gen-<n> and reload onto it; a confirmed reload makes `state` known.
  private async reloadTo(
    generation: number,
    hash: string,
    check: CheckResult,
    state: AppliedState,
    reason: ReloadReason,
    started: number,
    since: number | null,
  ): Promise<PassOutcome> {
    const { logger, status, supervisor, store } = this.options;
    status.reloadFor(reason);
    // Until this switch is confirmed, what HAProxy runs is not known for sure (a reload that timed out
    // may still have loaded it): the next pass reloads even the files it ran before.
    this.settledHash = null;
    this.switched = null;
    this.known = null;
    const reloadStarted = performance.now();
    const result = await supervisor.switchTo(generation);
    const live = reportSwitch(result, {
      generation,
      inputsHash: hash,
      started,
      reloadStarted,
      since,
      check,
      reason,
      logger,
      status,
    });
    await store.prune();
    if (result.kind === "reloaded" && result.verdict.ok)
      this.known = { workerPid: result.verdict.workerPid, generation, state };
    if (result.kind === "deferred" || result.verdict.ok || result.verdict.kind === "exited")
      this.switched = { generation, hash };
    if (live === null) {
      this.settledHash = hash;
      return DONE;
    }
    return { retry: live };
  }

  // The checks refused these bytes: they will refuse them again, so wait for the files to change.
  private refused(hash: string, reason: string): void {
    this.settledHash = hash;
    this.options.status.inputsRefused(hash, reason);
  }

  // Not settled yet: say so once per content (log line, /healthz last error) and read again soon.
  private unsettled(hash: string, reason: string): PassOutcome {
    // Whatever settles next (the files that run now included) is examined and reported afresh.
    this.settledHash = null;
    if (this.unsettledHash !== hash) {
      this.unsettledHash = hash;
      this.options.status.inputsUnsettled(reason);
      this.options.logger.warn(
        { event: "inputs.unsettled", reason },
        `keeping the running config: ${reason}`,
      );
    }
    return { retry: reason, unsettled: true };
  }

  private scheduleReread(): void {
    if (this.closed) return;
    this.armTimer(this.unsettledBackoff.next().delayMs);
  }

  private armTimer(delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.notifyChange();
    }, delayMs);
    this.retryTimer.unref();
  }

  private scheduleRetry(reason: string): void {
    if (this.closed) return;
    const { attempt, delayMs } = this.backoff.next();
    this.options.status.retryScheduled(attempt, Date.now() + delayMs, reason);
    this.options.logger.warn(
      { event: "apply.retry", attempt, delayMs, reason },
      `the change is not live yet (${reason}): trying again in ${delayMs} ms`,
    );
    this.armTimer(delayMs);
  }
}

// sha256 of the base config: a different base needs a reload.
function hashBase(base: Buffer): string {
  return createHash("sha256").update(base).digest("hex");
}
