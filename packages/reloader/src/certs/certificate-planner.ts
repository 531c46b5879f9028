// The plan the certificate manager serves, and how each pass makes the next one from what it read: node's
// checks of each certificate, cached across passes (check-certificate-cached.ts: parsing costs ~3 ms a
// certificate), HAProxy's own check of the new ones (verify-with-haproxy.ts) when the manager has a
// verifier, then the served certificates kept whose source is there but now refused.
import type { CertificateManagerOptions } from "./certificate-manager-options.js";
import { CheckCertificateCache } from "./check-certificate-cached.js";
import {
  keepPreviousCertificates,
  mayKeepPrevious,
  presentCertificateLabels,
} from "./model/keep-previous-certificates.js";
import {
  planCertificates,
  type CertificatePlan,
  type PlannedCertificate,
} from "./model/plan-certificates.js";
import { previousCertificates, writtenLabel } from "./model/previous-certificates.js";
import type { CertificateSourcesRead } from "./sources/read-certificate-sources.js";
import type { WrittenCertificate } from "./sources/read-written-certificates.js";

// The planner of one manager: its current plan and its check cache; `now` dates the checks.
export class CertificatePlanner {
  private plan: CertificatePlan = { default: null, certs: [], skipped: [] };
  private readonly checks = new CheckCertificateCache();
  /** what an earlier reloader wrote (startFrom), until the first pass checks the files it may keep */
  private written: readonly WrittenCertificate[] | null = null;

  constructor(
    private readonly options: Pick<CertificateManagerOptions, "ssl" | "manageDefault" | "verifier">,
    private readonly now: () => number,
  ) {}

  // The plan the last pass made (before the first: nothing planned, or what an earlier reloader served).
  get current(): CertificatePlan {
    return this.plan;
  }

  // Before the first pass: start from the certificates an earlier reloader wrote (PEM files by name), so
  // one whose source the first pass refuses keeps its served version (previous-certificates.ts). Only the
  // files that pass may keep are checked, there: at a restart whose sources pass, checking each one here
  // parsed every served certificate a second time (the pass checks its source), ≈ 3 ms each.
  startFrom(written: readonly WrittenCertificate[]): void {
    this.written = written;
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
    const labelled = this.written === null ? this.plan.certs : this.writtenLabels(this.written);
    const present = presentCertificateLabels(read.directory, labelled);
    const served = this.written === null ? this.plan.certs : this.checkWritten(verified, present);
    this.written = null;
    this.plan = keepPreviousCertificates(verified, served, present, this.now());
    return this.plan;
  }

  // The labels of the written files, from their names (nothing parsed).
  private writtenLabels(
    written: readonly WrittenCertificate[],
  ): Pick<PlannedCertificate, "name" | "source">[] {
    return written.flatMap((entry) => writtenLabel(entry) ?? []);
  }

  // The written files `plan` may keep, checked (previous-certificates.ts); the others are not parsed.
  private checkWritten(plan: CertificatePlan, present: ReadonlySet<string>): PlannedCertificate[] {
    const mayKeep = mayKeepPrevious(plan, present);
    const wanted = (this.written ?? []).filter((entry) => mayKeep(writtenLabel(entry)?.name ?? ""));
    return previousCertificates(wanted, this.now(), this.checks.check);
  }
}
