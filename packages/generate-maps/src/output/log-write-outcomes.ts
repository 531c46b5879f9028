// Logs what writeOutputs did: a diff per changed file, one error line per failure (retried next cycle).
import type { Logger } from "@rancher-haproxy/core";
import { describeFailure } from "../report/describe-failure.js";
import { logFileChange } from "./log-diff.js";
import type { FileOutcome } from "./write-outputs.js";

// One line per changed, failed or skipped file; unchanged files are not logged.
export function logWriteOutcomes(logger: Logger, outcomes: readonly FileOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.status === "changed" && outcome.replaced !== undefined)
      logger.warn(
        { event: "output-replaced", path: outcome.path, reason: outcome.replaced },
        `replaced ${outcome.path} without reading it: ${outcome.replaced}`,
      );
    if (outcome.status === "changed")
      logFileChange(logger, outcome.path, outcome.previous, outcome.content, outcome.replaced);
    if (outcome.status === "failed") {
      const { kind, message } = describeFailure(outcome.error);
      logger.error(
        { event: "write-failed", path: outcome.path, kind, error: message },
        `cannot write ${outcome.path}, it keeps its previous content; retrying: ${message}`,
      );
    }
    if (outcome.status === "not-attempted")
      logger.warn(
        { event: "write-postponed", path: outcome.path, waitingFor: outcome.waitingFor },
        `not writing ${outcome.path} until ${outcome.waitingFor} is written, so the map never names a missing backend`,
      );
  }
}
