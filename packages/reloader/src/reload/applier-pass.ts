// One pass of the config applier over the input files, run one at a time by config-applier.ts: read,
// settle, validate, plan, then runtime-API steps (apply-runtime-plan.ts) or a checked, confirmed reload
// (reload-to.ts). It keeps the applier's state and what it remembers of earlier reads.
import type { SharedTable } from "@rancher-haproxy/core";
import { readInputs, type InputFiles } from "../sources/read-inputs.js";
import type { ApplierOptions } from "./applier-options.js";
import { DONE, initialState, withChange } from "./applier-state.js";
import type { PassOutcome, PassSteps, StateChange } from "./applier-state.js";
import { applyRuntimePlan } from "./apply-runtime-plan.js";
import { currentLost } from "./current-lost.js";
import { knownAfterStart, liveAfterStart } from "./live-after-start.js";
import { planChange } from "./plan-change.js";
import { prepareInitial } from "./prepare-initial.js";
import { reloadTo } from "./reload-to.js";
import { reportUnreadable, unreadableKey } from "./report-unreadable.js";
import { reportUnsettled } from "./report-unsettled.js";

// How many times a pass plans a change again because the master answered meanwhile (planChange's replan).
const MAX_REPLANS = 3;

// The applier's state and one pass over the inputs; ConfigApplier calls it one pass at a time.
export class ApplierPass {
  /** settledHash, switched, known, startState: written only by apply() (see applier-state.ts) */
  private state = initialState();
  /** the unsettled inputs last reported (one log line while they stay on disk), and why */
  private lastUnsettled: { hash: string; reason: string } | null = null;
  /** the inputs of the last pass whose reload was held, and their validated table: a hold asks again every
   * second, and the same bytes are not parsed again each time (≈ 1.7 s for a 400 000-key map) while the
   * host name stays (a --config's sections may be named by it: SnapshotStore.hostNameMoved) */
  private lastHeld: { hash: string; table: SharedTable } | null = null;
  /** what the last unreadable-inputs report said: the same again (a FIFO left in place, each rescan) is
   * not logged or counted again */
  private unreadable: string | null = null;

  constructor(
    private readonly options: ApplierOptions,
    /** a held pass hands back the time of the first event, for the reload that ends the hold */
    private readonly keepSince: (since: number | null) => void,
  ) {}

  // Point `current` at what HAProxy should start from (see prepare-initial.ts); the change counts as
  // live once HAProxy confirms it runs that snapshot. `adopting`: a running master is adopted, not started.
  async prepareInitial(adopting = false): Promise<number> {
    const { generation, change, unreadable } = await prepareInitial(this.options, adopting);
    this.apply(change);
    this.unreadable = unreadable;
    return generation;
  }

  // One pass over the inputs; `since`: when the first event of the burst came (null: a rescan, a retry).
  async applyOnce(since: number | null): Promise<PassOutcome> {
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
    if (
      hash === this.state.settledHash &&
      !this.hostNameMoved() &&
      !(await currentLost(this.state, (change) => this.apply(change), this.options))
    ) {
      logger.debug({ event: "inputs.unchanged" }, "inputs unchanged");
      return DONE;
    }
    // The late verdict on the reload that timed out first: it may have gone live, this change's own
    // (nothing left to do) or the one before other inputs came (what HAProxy runs is then known again).
    const late = this.state.switched?.hash === hash || this.state.startState !== null;
    if (late && !this.options.supervisor.isSettled()) await this.options.supervisor.settled();
    if (this.caughtUp(hash)) return DONE;
    // The same bytes as the last unsettled read give the same verdict: not parsed again (a 400 000-key
    // map re-read every few seconds while its writer is stopped between renames cost ≈ 1.7 s each).
    if (hash === this.lastUnsettled?.hash) return this.unsettled(hash, this.lastUnsettled.reason);
    const started = performance.now();
    // Until 2026-12-05 a held table was reused after a rename of the host: the reload ending the hold staged
    // the sections of the old name left out (its haproxy -c refused a stack named like the new one).
    const held = this.lastHeld;
    const table =
      held !== null && hash === held.hash && !this.options.store.hostNameMoved()
        ? held.table
        : this.validated(read.files);
    this.lastHeld = null;
    if ("retry" in table) return table;
    const accepted = { files: read.files, table, started, since };
    let planned = await planChange(accepted, this.state.known, this.options);
    // The master answered while the change was planned: its verdict is taken as above (these inputs may
    // be live already), then the change planned again (a few times at most: each replan follows a reload
    // that timed out, the certificates' say, since the one before).
    for (let again = 0; planned.kind === "replan"; again++) {
      if (again === MAX_REPLANS) return { retry: "the master's state changed while the change was planned" };
      if (this.caughtUp(hash)) return DONE;
      planned = await planChange(accepted, this.state.known, this.options);
    }
    if (planned.kind === "refused") return this.refused(hash, planned.reason);
    if (planned.kind === "waiting") return { retry: planned.reason, waiting: true };
    if (planned.kind === "held") {
      this.keepSince(since); // the reload that ends the hold reports from the first event
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

  // The host name (HAPROXY_LOCALPEER) changed since the inputs `current` runs were staged: `current` was
  // checked with the old one, and a --config section named after it may clash with a stack now (a reload
  // of it, the certificates', or a restart of HAProxy, would fail), so the inputs are validated and staged
  // again as if they had changed, as when `current` is lost (current-lost.ts). Until 2026-12-05 only the next
  // change of the inputs did, and every reload or restart of `current` before it failed. Inputs settled as
  // refused are validated again once with the new name (since their validation), not at each rescan.
  private hostNameMoved(): boolean {
    const { switched, settledHash } = this.state;
    const { store } = this.options;
    const live = switched !== null && switched.hash === settledHash;
    if (!(live ? store.currentHostNameMoved() : store.hostNameMoved())) return false;
    this.apply({ settledHash: null, switched: null });
    return true;
  }

  // Run a step of the pass, taking each change of state as it happens; returns the pass outcome.
  private async follow(steps: PassSteps): Promise<PassOutcome> {
    for (let step = await steps.next(); ; step = await steps.next()) {
      if (step.done === true) return step.value;
      this.apply(step.value);
    }
  }

  // HAProxy found running the snapshot a reload that timed out staged: for inputs `hash` themselves the
  // change is live (true: nothing left to do); for other inputs, what the worker runs is known again and
  // the plan starts from it (liveAfterStart, knownAfterStart).
  private caughtUp(hash: string): boolean {
    const { status, logger } = this.options;
    const live = liveAfterStart(this.state, hash, status, logger);
    const change = live ?? knownAfterStart(this.state, status);
    if (change !== null) {
      this.apply(change);
      this.reportRunning(change);
    }
    return live !== null;
  }

  // HAProxy was found running a snapshot whose backends are known (a reload that timed out went live
  // late): the reports hear of them, as of a reload confirmed in time.
  private reportRunning(change: StateChange): void {
    if (change.known) this.options.onRunning?.(change.known.state.table.backends);
  }

  // The one writer of the state (see applier-state.ts).
  apply(change: StateChange): void {
    this.state = withChange(this.state, change);
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
