// The log line and status update for one change applied through the runtime API: `runtime.applied`
// (with the same `since` bookkeeping as reload.applied), `runtime.fallback` before the reload, or
// `runtime.skipped-stopping` (a stop of HAProxy began: no failure, no reload follows).
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { RuntimeOutcome } from "./apply-runtime.js";

// What the report needs besides the outcome; `started` (the pass) and `since` (the first file event)
// are performance.now() times.
export interface RuntimeContext {
  generation: number;
  inputsHash: string;
  started: number;
  since: number | null;
  logger: Logger;
  status: ReloaderStatus;
}

// Report it; `at` is the wall clock (ms since the epoch) of the read-back.
export function reportRuntime(outcome: RuntimeOutcome, context: RuntimeContext, at: number): void {
  const { generation, inputsHash, started, since, logger, status } = context;
  if (!outcome.ok && outcome.stopping === true) {
    logger.info(
      { event: "runtime.skipped-stopping", generation, reason: outcome.reason },
      `HAProxy is being stopped: gen-${generation} is not applied through the runtime API (${outcome.reason})`,
    );
    return;
  }
  if (!outcome.ok) {
    status.runtimeStepsFailed(generation);
    if (outcome.readback) status.readback(false, at, `gen-${generation}: ${outcome.reason}`);
    logger.warn(
      { event: "runtime.fallback", generation, reason: outcome.reason },
      `runtime update of gen-${generation} not confirmed (${outcome.reason}): reloading from it`,
    );
    return;
  }
  const now = performance.now();
  const changeToAppliedMs = since === null ? null : Math.round(now - since);
  status.runtimeApplied(generation, changeToAppliedMs);
  if (outcome.ops > 0) status.readback(true, at, `gen-${generation}: ${outcome.detail}`);
  logger.info(
    {
      event: "runtime.applied",
      generation,
      inputsHash,
      ops: outcome.ops,
      durationMs: Math.round(now - started),
      changeToAppliedMs,
      workerPid: outcome.workerPid,
    },
    `applied gen-${generation} through the runtime API (${outcome.ops} steps, no reload)`,
  );
}
