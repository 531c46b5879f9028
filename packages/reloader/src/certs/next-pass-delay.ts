// When the certificate manager's next pass runs: every CERT_POLL_INTERVAL, or with CERT_POLL_INTERVAL=0
// only while certificates wait for HAProxy's check (before, one whose check could not run at start stayed
// skipped until the next start). A pure decision; the manager keeps the timer.
import type { CertificatePlan } from "./model/plan-certificates.js";
import { UNCHECKED_REASON } from "./verify-with-haproxy.js";

/** CERT_POLL_INTERVAL=0: how soon certificates HAProxy could not check are checked again */
const RECHECK_MS = 5_000;

// The delay before the next pass, at `pollIntervalMs`, after a pass that left `plan`; null: none is due.
export function nextPassDelay(pollIntervalMs: number, plan: CertificatePlan): number | null {
  return pollIntervalMs > 0 ? pollIntervalMs : waitingForCheck(plan) ? RECHECK_MS : null;
}

// Whether the last pass left certificates HAProxy could not check (a check that timed out, killed).
function waitingForCheck(plan: CertificatePlan): boolean {
  return plan.skipped.some((entry) => entry.reason.startsWith(UNCHECKED_REASON));
}
