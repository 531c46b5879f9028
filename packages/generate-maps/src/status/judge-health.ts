// /healthz's verdict: healthy while a cycle succeeded (or an interval's check found it still standing,
// recordQuiet) within 3 × the interval: the loop does one or the other at least once per interval, so
// that is three missed ones; otherwise 503 with the reason. Cycles failing in a row are also retried at
// least every BACKOFF_CAP_MS, so failing for 3 × that is three missed retries, whatever the interval:
// with POLL_INTERVAL=3600 a metadata outage kept /healthz 200 for three hours. The same holds for the
// long poll while the loop waits for a change (retried at least every BACKOFF_CAP_MS too, recordWaitReach):
// an outage that began while it idled at POLL_INTERVAL=3600 was 200 until the next cycle failed, up to
// an hour later, then 30 s more.
import { BACKOFF_CAP_MS } from "../loop/backoff.js";
import type { StatusState } from "./status-state.js";

// How many intervals without a successful cycle make the generator unhealthy.
export const HEALTH_INTERVALS = 3;

// The answer: HTTP status and a JSON body saying why.
export interface HealthVerdict {
  healthy: boolean;
  body: {
    status: "ok" | "failing" | "starting";
    reason: string;
    lastSuccessSecondsAgo: number | null;
    lastCycle: StatusState["lastCycle"];
    version: string | null;
    /** the removal guard holds the files back (issue 7): they keep routing the previous answer */
    hold: { reason: string; releaseAt: string } | null;
  };
}

// Judges `state` at `now`, a time of the monotonic clock its times were recorded on (a wall clock
// stepped back kept it ok for the size of the step); pure.
export function judgeHealth(state: StatusState, now: number, intervalMs: number): HealthVerdict {
  const limitMs = HEALTH_INTERVALS * intervalMs;
  const success = state.lastSuccess;
  const ago = success === null ? null : (now - success.monotonicAt) / 1000;
  const guard = success?.output.guard;
  const hold =
    guard?.action === "hold"
      ? { reason: guard.reason, releaseAt: new Date(guard.shown.releaseAt).toISOString() }
      : null;
  const base = {
    lastSuccessSecondsAgo: ago === null ? null : Math.round(ago * 10) / 10,
    lastCycle: state.lastCycle,
    version: success?.output.version ?? null,
    hold,
  };
  const lastError = state.lastCycle?.error ? `: ${state.lastCycle.error.message}` : "";
  // (an interval up to the cap: the last success's age passes its limit first, the failures came after it)
  // (the retries' cap: BACKOFF_CAP_MS, or the interval when it is shorter, as the backoff's own)
  const retryCapMs = Math.min(intervalMs, BACKOFF_CAP_MS);
  const retryLimitMs = HEALTH_INTERVALS * retryCapMs;
  const failedTooLong = state.failingSince !== null && now - state.failingSince > retryLimitMs;
  if (success === null) {
    const failing = now - state.startedAt > limitMs || failedTooLong;
    return {
      healthy: false,
      body: {
        status: failing ? "failing" : "starting",
        reason: `no cycle has succeeded since the start ${secondsText(now - state.startedAt)} ago${lastError}`,
        ...base,
      },
    };
  }
  if (now - success.monotonicAt > limitMs)
    return {
      healthy: false,
      body: {
        status: "failing",
        reason: `the last successful cycle was ${secondsText(now - success.monotonicAt)} ago, more than ${HEALTH_INTERVALS} × the ${secondsText(intervalMs)} interval${lastError}`,
        ...base,
      },
    };
  const waiting = state.waitFailing;
  if (waiting !== null && now - waiting.since > retryLimitMs)
    return {
      healthy: false,
      body: {
        status: "failing",
        reason: `metadata has not answered the long poll of /version since ${secondsText(now - waiting.since)} ago, more than ${HEALTH_INTERVALS} × the ${secondsText(retryCapMs)} retry cap: ${waiting.error}`,
        ...base,
      },
    };
  if (failedTooLong)
    return {
      healthy: false,
      body: {
        status: "failing",
        reason: `every cycle since ${secondsText(now - (state.failingSince ?? now))} ago failed, more than ${HEALTH_INTERVALS} × the ${secondsText(retryCapMs)} retry cap${lastError}`,
        ...base,
      },
    };
  const reason = state.lastCycle?.ok
    ? "the last cycle succeeded"
    : `the last cycle failed, but one succeeded ${secondsText(now - success.monotonicAt)} ago${lastError}`;
  return { healthy: true, body: { status: "ok", reason, ...base } };
}

function secondsText(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
