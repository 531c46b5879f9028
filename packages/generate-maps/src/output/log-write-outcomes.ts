// Logs what writeOutputs did: a diff per changed file, one error line per failure (retried next cycle).
import type { Logger } from "@rancher-haproxy/core";
import { describeFailure } from "../report/describe-failure.js";
import { logFileChange } from "./log-diff.js";
import type { FileOutcome, UnfinishedWrite } from "./write-outputs.js";

// One line per changed, failed or skipped file; unchanged files are not logged. A file changed to an
// earlier step (the union backends) has its diff to that step, then the line of its unfinished last step.
export function logWriteOutcomes(logger: Logger, outcomes: readonly FileOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.status === "changed" && outcome.replaced !== undefined)
      logger.warn(
        { event: "output-replaced", path: outcome.path, reason: outcome.replaced },
        `replaced ${outcome.path} without reading it: ${outcome.replaced}`,
      );
    if (outcome.status === "changed")
      logFileChange(logger, outcome.path, outcome.previous, outcome.content, outcome.replaced);
    if (outcome.status === "changed" && outcome.unfinished)
      logUnfinished(logger, outcome.path, outcome.unfinished);
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

// The last step of a file that holds an earlier one (`intermediate: true`): failed, or postponed.
function logUnfinished(logger: Logger, path: string, unfinished: UnfinishedWrite): void {
  const holds = "it holds the old and the new backends together (the union step), not the new content";
  if ("error" in unfinished) {
    const { kind, message } = describeFailure(unfinished.error);
    logger.error(
      { event: "write-failed", path, kind, error: message, intermediate: true },
      `cannot finish writing ${path}: ${holds}; retrying: ${message}`,
    );
  } else
    logger.warn(
      { event: "write-postponed", path, waitingFor: unfinished.waitingFor, intermediate: true },
      `not finishing ${path} until ${unfinished.waitingFor} is written: ${holds}`,
    );
}
