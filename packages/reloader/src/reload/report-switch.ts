// The log line and status update for one switch to a checked snapshot: applied, deferred (HAProxy is
// down), waiting (the last reload timed out and the master has not answered since: nothing was sent),
// interrupted (it exited meanwhile) or failed (refused, or not confirmed in time). One a stop of HAProxy
// refused (nothing sent) the supervisor logged already (reload.skipped-stopping).
import type { Logger } from "@rancher-haproxy/core";
import type { CheckResult } from "../haproxy/check-config.js";
import type { SwitchResult } from "../haproxy/switch-result.js";
import type { ReloaderStatus } from "../state/reloader-status.js";

// What the report needs besides the result; `started` (the pass), `reloadStarted` (the switch) and
// `since` (the first file event) are performance.now() times.
export interface SwitchContext {
  generation: number;
  /** the sha256 of the input triple in the snapshot, logged so a watcher can tell which files went live */
  inputsHash: string;
  started: number;
  reloadStarted: number;
  since: number | null;
  check: CheckResult;
  /** why the change needed a reload (see planUpdate) */
  reason?: string;
  logger: Logger;
  status: ReloaderStatus;
}

// Report it; returns null when the change is live, else why it is not (yet).
export function reportSwitch(result: SwitchResult, context: SwitchContext): string | null {
  const { generation, inputsHash, started, reloadStarted, since, check, reason, logger, status } = context;
  if (result.kind === "deferred") {
    status.reloadEnded("deferred", null, null);
    logger.warn(
      { event: "reload.deferred", generation },
      "HAProxy is not running: it will start from this snapshot",
    );
    return `HAProxy is not running; it starts from gen-${generation}`;
  }
  if (result.kind === "stopping") return `HAProxy is being stopped: gen-${generation} is not loaded`;
  if (result.kind === "waiting") {
    logger.warn(
      { event: "reload.waiting", generation, reason: result.reason },
      `not reloading onto gen-${generation} yet: ${result.reason}; the change is retried`,
    );
    return `gen-${generation} waits: ${result.reason}`;
  }
  const { verdict, kept } = result;
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
        inputsHash,
        reason: reason ?? null,
        checkMs: check.durationMs,
        reloadMs,
        durationMs,
        changeToAppliedMs,
        workerPid: verdict.workerPid,
        masterReloads: verdict.info.reloads,
      },
      `reloaded HAProxy with gen-${generation}`,
    );
    return null;
  }
  if (verdict.kind === "exited") {
    status.reloadEnded("interrupted", null, null, verdict.reason);
    logger.warn(
      { event: "reload.interrupted", generation, reason: verdict.reason },
      "HAProxy exited during the reload: it restarts from this snapshot",
    );
    return `HAProxy exited during the reload of gen-${generation}`;
  }
  // Not confirmed in time: counted once the master answers again, by its verdict (settleLateReload).
  if (verdict.kind === "timeout") status.reloadUnconfirmed(verdict.reason);
  else status.reloadEnded("rejected", durationMs, null, verdict.reason);
  const pointedBack = verdict.kind === "rejected" ? kept : null;
  // Never sent (the master CLI did not answer or connect): held like a timeout, said as what it is.
  const sent = verdict.sent ?? true;
  const said =
    verdict.kind === "rejected"
      ? `HAProxy did not take gen-${generation}: the old workers keep serving`
      : sent
        ? `HAProxy did not confirm gen-${generation} in time: \`current\` stays on it (it passed haproxy -c) and the change is retried`
        : `the reload onto gen-${generation} was not sent: \`current\` stays on it until the master answers again (another client's reload may have reached it) and the change is retried`;
  logger.error(
    {
      event: "reload.failed",
      generation,
      reloadMs,
      reason: verdict.reason,
      keptGeneration: pointedBack,
      sent,
    },
    said,
  );
  return `the reload of gen-${generation} failed: ${verdict.reason}`;
}
