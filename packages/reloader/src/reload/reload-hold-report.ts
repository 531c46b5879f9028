// The reload hold as the log and /healthz tell it: said once when a hold starts and once when it ends,
// whatever number of passes it lasts (config-applier.ts reports each pass's outcome here).
import type { ApplierOptions } from "./applier-options.js";
import type { PassOutcome } from "./applier-state.js";
import { MAX_OLD_WORKERS } from "./old-workers-cap.js";

// Whether a reload is held for old workers now, and the report of each pass's outcome on it.
export class ReloadHoldReport {
  /** a reload is held for old workers (said once per hold, in the log and /healthz) */
  private held = false;

  constructor(private readonly options: Pick<ApplierOptions, "logger" | "status">) {}

  // A reload held for old workers is logged when the hold starts and ends; /healthz says it is held
  // (healthy: the old workers end within hard-stop-after, or as their connections do under a --config
  // that sets none, and no check failed). A pass that found the inputs unsettled (a writer between its
  // two renames) ends no hold: it never got to ask, and the next settled read is held again or reloads.
  // /healthz stops calling it held meanwhile (unsettled inputs that stay are judged as such); the log
  // said `reload.released` and then `reload.held` again each time.
  report(outcome: PassOutcome): void {
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
  }
}
