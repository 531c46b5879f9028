// checkCertificate with memory: parsing and key matching cost ~3 ms a certificate, so an unchanged
// certificate is not checked again while its whole chain stays valid (a refused one: for 10 minutes, or
// until its "not valid before" date passes: before, one dated seconds ahead waited the 10 minutes).
// Entries not used by the last pass are dropped, so the cache never holds more than one pass's
// certificates.
import { createHash } from "node:crypto";
import type { CertificateCheck } from "./model/certificate-check.js";
import { checkCertificate, STRICT_RULES, type CheckCertificate } from "./model/check-certificate.js";

// A cache for one manager; call endPass() after each plan.
export class CheckCertificateCache {
  private entries = new Map<string, { result: CertificateCheck; at: number }>();
  private used = new Map<string, { result: CertificateCheck; at: number }>();

  // The cached check (same signature as checkCertificate).
  readonly check: CheckCertificate = (name, certText, keyText, now, rules = STRICT_RULES) => {
    const id = createHash("sha256")
      .update(`${name}\0${rules.chain}\0${rules.maxText}\0${certText}\0${keyText}`)
      .digest("hex");
    const cached = this.entries.get(id) ?? this.used.get(id);
    if (cached && holds(cached.result, cached.at, now)) {
      this.used.set(id, cached);
      return cached.result;
    }
    const result = checkCertificate(name, certText, keyText, now, rules);
    this.used.set(id, { result, at: now });
    return result;
  };

  // Keep only what the pass used.
  endPass(): void {
    this.entries = this.used;
    this.used = new Map();
  }
}

/** how long a refusal is reused before the certificate is checked again */
const REFUSAL_TTL_MS = 10 * 60_000;

function holds(result: CertificateCheck, at: number, now: number): boolean {
  if (!result.ok) return now >= at && now - at < REFUSAL_TTL_MS && now < (result.validFrom ?? Infinity);
  return now >= result.cert.chainValidFrom && now <= result.cert.chainValidTo;
}
