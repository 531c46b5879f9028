// Log what a certificate pass found: certs.loaded (a bounded sample: names, SANs, expiry), certs.skipped
// (one line each, with the reason), certs.source-failed, certs.expiring. Never a key or a PEM.
import type { Logger } from "@rancher-haproxy/core";
import type { CertificatePlan } from "./model/plan-certificates.js";

/** certs.loaded lists this many certificates (the first, in plan order); /config lists them all */
const LOGGED_CERTIFICATES = 20;
/** and this many of each one's names (`nameCount` counts them all), each cut to a DNS name's length */
const LOGGED_NAMES = 10;
const MAX_NAME_LENGTH = 253;

// Log the plan; `warnings` are the snapshot's (expiry ones are logged as certs.expiring).
export function reportCertificates(
  logger: Logger,
  plan: CertificatePlan,
  sourceProblem: string | null,
  warnings: readonly string[],
): void {
  // A sample: every certificate with every name made one line of megabytes (1 000 with hundreds of SANs).
  const served = plan.certs.slice(0, LOGGED_CERTIFICATES).map((cert) => ({
    name: cert.name,
    names: cert.names.slice(0, LOGGED_NAMES).map((name) => name.slice(0, MAX_NAME_LENGTH)),
    nameCount: cert.names.length,
    notAfter: new Date(cert.notAfter).toISOString(),
  }));
  logger.info(
    { event: "certs.loaded", count: plan.certs.length + (plan.default ? 1 : 0), certificates: served },
    "certificates checked",
  );
  // `certificate`, not `name`: that is the logger's own field (the process), which a second one overrode.
  for (const skipped of plan.skipped)
    logger.warn(
      { event: "certs.skipped", certificate: skipped.name, reason: skipped.reason },
      "certificate skipped",
    );
  if (sourceProblem)
    logger.warn({ event: "certs.source-failed", reason: sourceProblem }, "certificate source failed");
  for (const warning of warnings.filter((text) => text.includes(" expires in ")))
    logger.warn({ event: "certs.expiring", warning }, warning);
}

// What makes two reports the same (so an unchanged pass logs nothing); `expiring`, the names of the
// served certificates within EXPIRY_WARNING_DAYS: one that comes within them is reported (certs.expiring)
// by the first pass after, even when nothing else changed (before, only a change of the sources did).
export function reportKey(
  plan: CertificatePlan,
  sourceProblem: string | null,
  expiring: readonly string[],
): string {
  return JSON.stringify([
    plan.default?.digest ?? null,
    plan.certs.map((cert) => cert.digest),
    plan.skipped,
    sourceProblem,
    expiring,
  ]);
}
