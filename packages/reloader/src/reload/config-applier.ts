// Turns input changes into snapshots applied one at a time: runtime-API steps read back when the plan
// allows (model/plan-update.ts, apply-runtime-plan.ts), else a checked, confirmed reload (reload-to.ts);
// changes that arrive during a pass collapse into one more pass. A change counts as done only once it is
// live (or the checks refused it, which they do again for the same bytes): a reload that is refused,
// times out or is interrupted, and a pass that throws, is tried again with backoff until it goes live. A
// map naming a backend the backends file does not declare yet is "not settled" (the generator is between
// its writes, or died there): read again after the debounce, doubling to 5 s, never a rejection.
import type { SharedTable } from "@rancher-haproxy/core";
import { readInputs, type InputFiles } from "../sources/read-inputs.js";
import type { ApplierOptions } from "./applier-options.js";
import { DONE, initialState, withChange } from "./applier-state.js";
import type { PassOutcome, PassSteps, StateChange } from "./applier-state.js";
import { applyRuntimePlan } from "./apply-runtime-plan.js";
import { knownAfterStart, liveAfterStart } from "./live-after-start.js";
import { planChange } from "./plan-change.js";
import { prepareInitial } from "./prepare-initial.js";
import { reloadTo } from "./reload-to.js";
import { reportUnreadable, unreadableKey } from "./report-unreadable.js";
import { reportUnsettled } from "./report-unsettled.js";
import { RetrySchedule } from "./retry-schedule.js";
import { HELD_RECHECK_MS, MAX_OLD_WORKERS } from "./old-workers-cap.js";

export type { ApplierOptions } from "./applier-options.js";

// The change pipeline: read → stage gen-<n> → haproxy -c → switch `current` + reload → confirm.
export class ConfigApplier {
  /** settledHash, switched, known, startState: written only by apply() (see applier-state.ts) */
  private state = initialState();
  /** retries of a change that is not live yet, re-reads of unsettled inputs */
  private readonly retries: RetrySchedule;
  /** the unsettled inputs last reported (one log line while they stay on disk), and why */
  private lastUnsettled: { hash: string; reason: string } | null = null;
  /** the inputs of the last pass whose reload was held, and their validated table: a hold asks again every
   * second, and the same bytes are not parsed again each time (≈ 1.7 s for a 400 000-key map) */
  private lastHeld: { hash: string; table: SharedTable } | null = null;
  /** what the last unreadable-inputs report said: the same again (a FIFO left in place, each rescan) is
   * not logged or counted again */
  private unreadable: string | null = null;
  private closed = false;
  private running: Promise<void> | null = null;
  /** a file event (or a retry) arrived during the pass: run another at once, failed or not */
  private pending = false;
  /** a rescan arrived during the pass: run another only if this one succeeded (never skip a backoff) */
  private rescanned = false;
  private changeSince: number | null = null;
  /** a reload is held for old workers (said once per hold, in the log and /healthz) */
  private held = false;
  /** the retry on record was scheduled while the master had not answered since a reload timed out (or
   * could not be sent): a held pass resolves it, as it got an answer (the hold is asked after settled()) */
  private retryAwaitsMaster = false;

  constructor(private readonly options: ApplierOptions) {
    this.retries = new RetrySchedule(options.retryMs, () => this.notifyChange(), options);
  }

  // Point `current` at what HAProxy should start from (see prepare-initial.ts); the change counts as
  // live once HAProxy confirms it runs that snapshot. `adopting`: a running master is adopted, not started.
  async prepareInitial(adopting = false): Promise<number> {
    const { generation, change, unreadable } = await prepareInitial(this.options, adopting);
    this.apply(change);
    this.unreadable = unreadable;
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
        this.pending = false;
        this.rescanned = false;
        this.retries.cancel();
        const since = this.changeSince;
        this.changeSince = null;
        const outcome = await this.applyOnce(since).catch((error: unknown): PassOutcome => {
          this.apply({ settledHash: null });
          this.options.logger.error({ event: "apply.error", err: String(error) }, "applying a change failed");
          return { retry: `applying a change failed: ${String(error)}` };
        });
        if (!("unsettled" in outcome)) this.retries.settled();
        this.reportHeld(outcome);
        if (outcome.retry === null) {
          this.retries.done();
          this.options.status.retryCleared();
          again = this.pending || this.rescanned;
        } else if (this.pending) again = true;
        else {
          if ("unsettled" in outcome) this.retries.reread();
          else if (outcome.held === true) this.retries.recheck(HELD_RECHECK_MS);
          else {
            this.retries.retry(outcome.retry, outcome.waiting === true);
            this.retryAwaitsMaster = !this.options.supervisor.isSettled();
          }
          again = false;
        }
      }
    } finally {
      this.running = null;
    }
  }

  private async applyOnce(since: number | null): Promise<PassOutcome> {
    const { logger, status } = this.options;
    const read = await readInputs(this.options.inputs);
    // Other files than the last unsettled ones end that report: the same unsettled files again are news.
    if (!read.ok || read.files.hash !== this.lastUnsettled?.hash) this.lastUnsettled = null;
    if (!read.ok) {
      const said = unreadableKey(read);
      if (said !== this.unreadable) reportUnreadable(read, logger, status);
      else logger.debug({ event: "inputs.still-unreadable" }, "input files still unreadable");
      this.unreadable = said;
      this.apply({ settledHash: null }); // the same content, once readable again, is applied
      return DONE;
    }
    this.unreadable = null;
    const { hash } = read.files;
    if (hash === this.state.settledHash && !(await this.currentLost())) {
      logger.debug({ event: "inputs.unchanged" }, "inputs unchanged");
      return DONE;
    }
    // The late verdict on the reload that timed out first: it may have gone live, this change's own
    // (nothing left to do) or the one before other inputs came (what HAProxy runs is then known again).
    const late = this.state.switched?.hash === hash || this.state.startState !== null;
    if (late && !this.options.supervisor.isSettled()) await this.options.supervisor.settled();
    const live = liveAfterStart(this.state, hash, status, logger);
    if (live !== null) {
      this.apply(live);
      this.reportRunning(live);
      return DONE;
    }
    const known = knownAfterStart(this.state, status);
    if (known !== null) {
      this.apply(known);
      this.reportRunning(known);
    }
    // The same bytes as the last unsettled read give the same verdict: not parsed again (a 400 000-key
    // map re-read every few seconds while its writer is stopped between renames cost ≈ 1.7 s each).
    if (hash === this.lastUnsettled?.hash) return this.unsettled(hash, this.lastUnsettled.reason);
    const started = performance.now();
    const table = hash === this.lastHeld?.hash ? this.lastHeld.table : this.validated(read.files);
    this.lastHeld = null;
    if ("retry" in table) return table;
    const accepted = { files: read.files, table, started, since };
    const planned = await planChange(accepted, this.state.known, this.options);
    if (planned.kind === "refused") return this.refused(hash, planned.reason);
    if (planned.kind === "waiting") return { retry: planned.reason, waiting: true };
    if (planned.kind === "held") {
      this.changeSince ??= since; // the reload that ends the hold reports from the first event
      this.lastHeld = { hash, table };
      return { retry: planned.reason, held: true };
    }
    if (planned.kind === "reload") return this.follow(reloadTo(planned.target, this.options));
    return this.follow(applyRuntimePlan(planned.change, this.state.known, this.options));
  }

  // The contract's table of `files`, or the pass's outcome when they are unsettled or refused.
  private validated(files: InputFiles): SharedTable | PassOutcome {
    const hash = files.hash;
    const validated = this.options.store.validate(files);
    if (!validated.ok && validated.unsettled === true) return this.unsettled(hash, validated.reason);
    if (!validated.ok) return this.refused(hash, validated.reason);
    return validated.table;
  }

  // A reload held for old workers is logged when the hold starts and ends; /healthz says it is held
  // (healthy: the old workers end within hard-stop-after, and no check failed). A pass that found the
  // inputs unsettled (a writer between its two renames) ends no hold: it never got to ask, and the next
  // settled read is held again or reloads. /healthz stops calling it held meanwhile (unsettled inputs
  // that stay are judged as such); the log said `reload.released` and then `reload.held` again each time.
  private reportHeld(outcome: PassOutcome): void {
    if (outcome.retry !== null && "unsettled" in outcome) {
      this.options.status.reloadHeld(null);
      return;
    }
    const held = outcome.retry !== null && "held" in outcome && outcome.held === true;
    if (held && !this.held)
      this.options.logger.warn(
        { event: "reload.held", maxOldWorkers: MAX_OLD_WORKERS, reason: outcome.retry },
        `a reload waits: ${outcome.retry}`,
      );
    else if (!held && this.held)
      this.options.logger.info({ event: "reload.released" }, "the held reload is no longer held");
    if (held !== this.held) this.options.status.reloadHoldActive(held);
    this.held = held;
    this.options.status.reloadHeld(held ? outcome.retry : null);
    // The master answered (a held pass asked it after settled()): a retry that waited for that is moot,
    // and /healthz said 503 "the master has not answered" for the whole hold. Other failures stay red.
    if (held && this.retryAwaitsMaster) {
      this.retryAwaitsMaster = false;
      this.options.status.retryCleared();
    }
  }

  // Run a step of the pass, taking each change of state as it happens; returns the pass outcome.
  private async follow(steps: PassSteps): Promise<PassOutcome> {
    for (let step = await steps.next(); ; step = await steps.next()) {
      if (step.done === true) return step.value;
      this.apply(step.value);
    }
  }

  // HAProxy was found running a snapshot whose backends are known (a reload that timed out went live
  // late): the reports hear of them, as of a reload confirmed in time.
  private reportRunning(change: StateChange): void {
    if (change.known) this.options.onRunning?.(change.known.state.table.backends);
  }

  // The one writer of the state (see applier-state.ts).
  private apply(change: StateChange): void {
    this.state = withChange(this.state, change);
  }

  // `current` names no snapshot on disk (removed by hand): a restart of HAProxy could load nothing, so
  // the inputs are staged again as if they had changed (said once per loss). A settled refusal is not.
  private async currentLost(): Promise<boolean> {
    if (this.state.switched?.hash !== this.state.settledHash) return false;
    if (await this.options.store.currentOnDisk()) return false;
    const generation = await this.options.store.current();
    this.options.logger.warn(
      { event: "snapshot.current-missing", generation },
      `current names no snapshot on disk (${generation === null ? "no link" : `gen-${generation} is gone`}): staging the inputs again`,
    );
    this.apply({ settledHash: null, switched: null });
    return true;
  }

  // The checks refused these bytes: they will refuse them again, so wait for the files to change.
  private refused(hash: string, reason: string): PassOutcome {
    this.options.status.reloadEnded("check-failed", null, null, reason);
    this.apply({ settledHash: hash });
    this.options.status.inputsRefused(hash, reason);
    return DONE;
  }

  // Not settled yet: say so once per content (see reportUnsettled) and read again soon.
  private unsettled(hash: string, reason: string): PassOutcome {
    // Whatever settles next (the files that run now included) is examined and reported afresh; a retry
    // of earlier files is moot (these replaced them), so /healthz says why the new ones wait, not that.
    this.apply({ settledHash: null });
    this.options.status.retryCleared();
    reportUnsettled(hash, reason, this.lastUnsettled?.hash ?? null, this.options);
    this.lastUnsettled = { hash, reason };
    return { retry: reason, unsettled: true };
  }
}
