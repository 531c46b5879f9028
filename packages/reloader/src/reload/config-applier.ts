// Turns input changes into snapshots applied one at a time: runtime-API steps read back when the plan
// allows (model/plan-update.ts, apply-runtime-plan.ts), else a checked, confirmed reload (reload-to.ts);
// changes that arrive during a pass collapse into one more pass. A change counts as done only once it is
// live (or the checks refused it, which they do again for the same bytes): a reload that is refused,
// times out or is interrupted, and a pass that throws, is tried again with backoff until it goes live. A
// map naming a backend the backends file does not declare yet is "not settled" (the generator is between
// its writes, or died there): read again after the debounce, doubling to 5 s, never a rejection.
import type { ApplierOptions } from "./applier-options.js";
import { ApplierPass } from "./applier-pass.js";
import type { PassOutcome } from "./applier-state.js";
import { ReloadHoldReport } from "./reload-hold-report.js";
import { RetrySchedule } from "./retry-schedule.js";
import { HELD_RECHECK_MS } from "./old-workers-cap.js";

export type { ApplierOptions } from "./applier-options.js";

// The change pipeline: read → stage gen-<n> → haproxy -c → switch `current` + reload → confirm.
export class ConfigApplier {
  /** the applier's state and one pass over the inputs (applier-pass.ts) */
  private readonly pass: ApplierPass;
  /** retries of a change that is not live yet, re-reads of unsettled inputs */
  private readonly retries: RetrySchedule;
  private closed = false;
  private running: Promise<void> | null = null;
  /** a file event (or a retry) arrived during the pass: run another at once, failed or not */
  private pending = false;
  /** a rescan arrived during the pass: run another only if this one succeeded (never skip a backoff) */
  private rescanned = false;
  private changeSince: number | null = null;
  /** a reload held for old workers, as the log and /healthz tell it (reload-hold-report.ts) */
  private readonly hold: ReloadHoldReport;
  /** refreshCurrent's callers: resolved once the next pass to begin ended (or the loop did) */
  private readonly afterPass: (() => void)[] = [];

  constructor(private readonly options: ApplierOptions) {
    this.retries = new RetrySchedule(options.retryMs, () => this.notifyChange(), options);
    this.pass = new ApplierPass(options, (since) => {
      this.changeSince ??= since;
    });
    this.hold = new ReloadHoldReport(options);
  }

  // Point `current` at what HAProxy should start from (see prepare-initial.ts); the change counts as
  // live once HAProxy confirms it runs that snapshot. `adopting`: a running master is adopted, not started.
  prepareInitial(adopting = false): Promise<number> {
    return this.pass.prepareInitial(adopting);
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

  // The periodic rescan (an event may have been missed). It never shortens a retry's backoff: while a
  // retry waits it is skipped (the retry reads the files), and during a pass that fails it is dropped.
  // Counted as a change, a rescan landing in every slow failing pass (a reload that times out after 10 s
  // against a 10 s rescan) retried at once, back to back, for as long as the change failed.
  notifyRescan(): void {
    if (this.closed || this.retries.waiting()) return;
    if (this.running) {
      this.rescanned = true;
      return;
    }
    this.running = this.loop();
  }

  // Before HAProxy loads `current` outside a pass (its master restarted, a reload for the certificates):
  // when the host name (HAPROXY_LOCALPEER) moved since `current` was validated
  // (SnapshotStore.currentHostNameMoved, as the rescan asks), `current` was checked with the old one and
  // may fail to load now (a --config's `listen "$HAPROXY_LOCALPEER"` beside a stack named like the new
  // one), so a pass runs first, queued as a change: it stages and checks the inputs with the new name and
  // points `current` at them. Resolves once a pass begun after the call ended (not once none runs: a
  // stream of changes would hold a restart back), or the applier closed; at once when the name did not
  // move (or is not followed). Until 2026-12-05 such a load failed until the next rescan (10 s by default)
  // staged them.
  refreshCurrent(): Promise<void> {
    if (this.closed || !this.options.store.currentHostNameMoved()) return Promise.resolve();
    const passed = new Promise<void>((resolve) => this.afterPass.push(resolve));
    this.notifyChange();
    return passed;
  }

  // Resolves when no pass is running or queued.
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  // No more passes or retries (the reloader is stopping).
  close(): void {
    this.closed = true;
    this.retries.close();
  }

  private async loop(): Promise<void> {
    try {
      let again = true;
      while (again && !this.closed) {
        const waiting = this.afterPass.splice(0);
        this.pending = false;
        this.rescanned = false;
        this.retries.cancel();
        const since = this.changeSince;
        this.changeSince = null;
        const outcome = await this.pass.applyOnce(since).catch((error: unknown): PassOutcome => {
          this.pass.apply({ settledHash: null });
          this.options.logger.error({ event: "apply.error", err: String(error) }, "applying a change failed");
          return { retry: `applying a change failed: ${String(error)}` };
        });
        if (!("unsettled" in outcome)) this.retries.settled();
        this.hold.report(outcome);
        // A held pass asked the master (after settled()): a retry that waited for its answer is moot.
        if (outcome.retry !== null && outcome.held === true) this.retries.masterAnswered();
        if (outcome.retry === null) {
          this.retries.done();
          this.options.status.retryCleared();
          again = this.pending || this.rescanned;
        } else if (this.pending) again = true;
        else {
          if ("unsettled" in outcome) this.retries.reread();
          else if (outcome.held === true) this.retries.recheck(HELD_RECHECK_MS);
          else {
            const awaitsMaster = !this.options.supervisor.isSettled();
            this.retries.retry(outcome.retry, outcome.waiting === true, awaitsMaster);
          }
          again = false;
        }
        for (const resolve of waiting) resolve();
      }
    } finally {
      this.running = null;
      for (const resolve of this.afterPass.splice(0)) resolve();
    }
  }
}
