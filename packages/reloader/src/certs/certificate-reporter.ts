// The certificate manager's report of each pass (report-certificates.ts: certs.loaded, certs.skipped,
// certs.source-failed, certs.expiring), logged only when it differs from the last one: an unchanged pass
// logs nothing.
import type { Logger } from "@rancher-haproxy/core";
import { EXPIRY_WARNING_DAYS, type CertificateSnapshot } from "./certificate-state.js";
import type { CertificatePlan } from "./model/plan-certificates.js";
import { reportCertificates, reportKey } from "./report-certificates.js";

// The last report's key (reportKey), for one manager's `logger`.
export class CertificateReporter {
  private reported = "";

  constructor(private readonly logger: Logger) {}

  // Report the pass's `plan`; `shown`: the manager's snapshot after it (what is served, the warnings).
  report(
    plan: CertificatePlan,
    sourceProblem: string | null,
    shown: Pick<CertificateSnapshot, "served" | "warnings">,
  ): void {
    const expiring = shown.served
      .filter((cert) => cert.daysLeft < EXPIRY_WARNING_DAYS)
      .map((cert) => cert.name);
    const key = reportKey(plan, sourceProblem, expiring);
    if (key !== this.reported) reportCertificates(this.logger, plan, sourceProblem, shown.warnings);
    this.reported = key;
  }
}
