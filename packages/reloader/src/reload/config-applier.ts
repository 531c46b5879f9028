// Turns input changes into checked snapshots and confirmed reloads, one at a time; changes that
// arrive during a reload collapse into one more pass.
import type { Logger } from "@rancher-haproxy/core";
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import { validateInputs } from "../model/validate-inputs.js";
import { readInputFile, readInputs, type InputPaths, type InputsOutcome } from "../sources/read-inputs.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { chooseStartSnapshot } from "./choose-start-snapshot.js";
import type { SerialLock } from "./serial-lock.js";
import type { SnapshotStore } from "./snapshot-store.js";

// What the applier works with.
export interface ApplierOptions {
  store: SnapshotStore;
  inputs: InputPaths;
  logger: Logger;
  status: ReloaderStatus;
  lock: SerialLock;
  supervisor: HaproxySupervisor;
  /** first retry delay of inputs that are not settled yet (the debounce) */
  retryMs: number;
}

// The change pipeline: read → stage gen-<n> → haproxy -c → point current → reload → confirm.
export class ConfigApplier {
  private lastHash: string | null = null;
  private running: Promise<void> | null = null;
  private pending = false;
  private changeSince: number | null = null;
  /** the hash of the unsettled inputs last reported, and the retry timer and its delay */
  private unsettledHash: string | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 0;

  constructor(private readonly options: ApplierOptions) {}

  // Point `current` at what HAProxy should start from (see chooseStartSnapshot).
  async prepareInitial(): Promise<number> {
    const { logger, store, inputs } = this.options;
    const read = await readInputs(inputs);
    let generation: number;
    if (read.ok) {
      // Unsettled inputs are not run at start (chooseStartSnapshot falls back): examine them again.
      const unsettled = validateInputs(read.files).some((problem) => problem.kind === "unsettled");
      this.lastHash = unsettled ? null : read.files.hash;
      generation = await chooseStartSnapshot(store, read.files, read.files.base, logger);
    } else {
      this.reportUnreadable(read);
      const base = await readInputFile(inputs.base);
      generation = await chooseStartSnapshot(store, null, base.ok ? base.bytes : null, logger);
    }
    this.options.status.currentIs(generation);
    return generation;
  }

  // A debounced file event (or a rescan) arrived; `since` is when the first event of the burst came.
  notifyChange(since: number | null = null): void {
    if (since !== null && this.changeSince === null) this.changeSince = since;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.loop();
  }

  // Resolves when no pass is running or queued (a pending retry of unsettled inputs is dropped).
  async idle(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.pending = false;
        const since = this.changeSince;
        this.changeSince = null;
        await this.options.lock
          .run(() => this.applyOnce(since))
          .catch((error: unknown) => {
            this.options.logger.error(
              { event: "apply.error", err: String(error) },
              "applying a change failed",
            );
          });
      } while (this.pending);
    } finally {
      this.running = null;
    }
  }

  private async applyOnce(since: number | null): Promise<void> {
    const { logger, status, supervisor, store } = this.options;
    const read = await readInputs(this.options.inputs);
    if (!read.ok) {
      this.reportUnreadable(read);
      this.lastHash = null; // the same content, once readable again, is applied
      return;
    }
    if (read.files.hash === this.lastHash) {
      logger.debug({ event: "inputs.unchanged" }, "inputs unchanged");
      return;
    }
    this.lastHash = read.files.hash;
    const started = performance.now();
    const checked = await store.stageAndCheck(read.files);
    if (!checked.ok && checked.unsettled) {
      this.retryUnsettled(read.files.hash, checked.reason);
      return;
    }
    this.unsettledHash = null;
    this.retryDelayMs = 0;
    if (!checked.ok) {
      status.reloadEnded("check-failed", null, null, checked.reason);
      return;
    }
    const { generation, check } = checked;
    const previous = await store.current();
    await store.makeCurrent(generation);
    status.currentIs(generation);
    if (!supervisor.isRunning()) {
      status.reloadEnded("deferred", null, null);
      logger.warn(
        { event: "reload.deferred", generation },
        "HAProxy is not running: it will start from this snapshot",
      );
      await store.prune();
      return;
    }
    const reloadStarted = performance.now();
    const verdict = await supervisor.reload();
    const now = performance.now();
    const durationMs = Math.round(now - started);
    const reloadMs = Math.round(now - reloadStarted);
    if (verdict.ok) {
      const changeToAppliedMs = since === null ? null : Math.round(now - since);
      status.reloadEnded("applied", durationMs, changeToAppliedMs);
      logger.info(
        {
          event: "reload.applied",
          generation,
          checkMs: check.durationMs,
          reloadMs,
          durationMs,
          changeToAppliedMs,
          workerPid: verdict.workerPid,
          masterReloads: verdict.info.reloads,
        },
        `reloaded HAProxy with gen-${generation}`,
      );
    } else if (verdict.kind === "exited") {
      status.reloadEnded("interrupted", null, null, verdict.reason);
      logger.warn(
        { event: "reload.interrupted", generation, reason: verdict.reason },
        "HAProxy exited during the reload: it restarts from this snapshot",
      );
    } else {
      if (previous !== null) {
        await store.makeCurrent(previous);
        status.currentIs(previous);
      }
      status.reloadEnded("rejected", durationMs, null, verdict.reason);
      logger.error(
        { event: "reload.failed", generation, reloadMs, reason: verdict.reason, keptGeneration: previous },
        `HAProxy did not take gen-${generation}: the old workers keep serving`,
      );
    }
    await store.prune();
  }

  // The map names a backend not declared yet: not a rejection. Report it once per content (log line,
  // /healthz last error), read again after the debounce, doubling up to 5 s, until it settles.
  private retryUnsettled(hash: string, reason: string): void {
    const { logger, status } = this.options;
    this.lastHash = null; // the same bytes are examined again
    if (this.unsettledHash !== hash) {
      this.unsettledHash = hash;
      this.retryDelayMs = 0;
      status.reloadEnded("check-failed", null, null, reason);
      logger.warn({ event: "inputs.unsettled", reason }, `keeping the running config: ${reason}`);
    }
    this.retryDelayMs = Math.min(5000, Math.max(this.options.retryMs, this.retryDelayMs * 2));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.notifyChange();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }

  // Missing or unreadable inputs (a directory, FIFO... in a file's place): the running config stays.
  private reportUnreadable(read: Extract<InputsOutcome, { ok: false }>): void {
    const { logger, status } = this.options;
    if (read.missing.length > 0)
      logger.warn(
        { event: "inputs.missing", missing: read.missing },
        "an input file is missing: keeping the running config",
      );
    if (read.unreadable.length > 0) {
      const first = read.unreadable[0];
      logger.error(
        { event: "inputs.unreadable", unreadable: read.unreadable },
        `an input file cannot be read: keeping the running config (${first?.path} ${first?.reason})`,
      );
      status.reloadEnded("check-failed", null, null, `${first?.path} ${first?.reason}`);
    }
  }
}
