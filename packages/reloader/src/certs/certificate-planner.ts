// The plan the certificate manager serves, and how each pass makes the next one from what it read: node's
// checks of each certificate, cached across passes (check-certificate-cached.ts: parsing costs ~3 ms a
// certificate), HAProxy's own check of the new ones (verify-with-haproxy.ts) when the manager has a
// verifier, then the served certificates kept whose source is there but now refused.
import type { CertificateManagerOptions } from "./certificate-manager-options.js";
import { CheckCertificateCache } from "./check-certificate-cached.js";
import { keepPreviousCertificates, presentCertificateLabels } from "./model/keep-previous-certificates.js";
import { planCertificates, type CertificatePlan } from "./model/plan-certificates.js";
import { previousCertificates } from "./model/previous-certificates.js";
import type { CertificateSourcesRead } from "./sources/read-certificate-sources.js";

// The planner of one manager: its current plan and its check cache; `now` dates the checks.
export class CertificatePlanner {
  private plan: CertificatePlan = { default: null, certs: [], skipped: [] };
  private readonly checks = new CheckCertificateCache();

  constructor(
    private readonly options: Pick<CertificateManagerOptions, "ssl" | "manageDefault" | "verifier">,
    private readonly now: () => number,
  ) {}

  // The plan the last pass made (before the first: nothing planned, or what an earlier reloader served).
  get current(): CertificatePlan {
    return this.plan;
  }

  // Before the first pass: start from the certificates an earlier reloader wrote (PEM files by name), so
  // one whose source the first pass refuses keeps its served version (previous-certificates.ts).
  startFrom(written: readonly { file: string; pem: string }[]): void {
    this.plan = { ...this.plan, certs: previousCertificates(written, this.now(), this.checks.check) };
  }

  // The next plan, made from `read` and kept; `servedDefault`: the PEM of the default certificate HAProxy
  // loads (a refused default with the same chain is served all the same).
  async next(read: CertificateSourcesRead, servedDefault: string | null): Promise<CertificatePlan> {
    const plan = planCertificates({
      metadata: read.metadata,
      directory: read.directory,
      base64Encoded: this.options.ssl.base64Encoded,
      manageDefault: this.options.manageDefault,
      defaultFile: read.defaultFile,
      now: this.now(),
      servedDefault,
      check: this.checks.check,
    });
    this.checks.endPass();
    const verified = this.options.verifier ? await this.options.verifier.verify(plan) : plan;
    // A served certificate whose source is there but now refused stays served
    // (keep-previous-certificates.ts).
    const served = this.plan.certs;
    const present = presentCertificateLabels(read.directory, served);
    this.plan = keepPreviousCertificates(verified, served, present, this.now());
    return this.plan;
  }
}
