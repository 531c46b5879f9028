// checkCertificate with memory: parsing and key matching cost ~3 ms a certificate, so an unchanged
// certificate is not checked again while its whole chain stays valid. Entries not used by the last pass
// are dropped, so the cache never holds more than one pass's certificates.
import { createHash } from "node:crypto";
import { checkCertificate, type CertificateCheck, type CheckCertificate } from "./model/check-certificate.js";

// A cache for one manager; call endPass() after each plan.
export class CheckCertificateCache {
  private entries = new Map<string, CertificateCheck & { ok: true }>();
  private used = new Map<string, CertificateCheck & { ok: true }>();

  // The cached check (same signature as checkCertificate).
  readonly check: CheckCertificate = (name, certText, keyText, now) => {
    const id = createHash("sha256").update(`${name}\0${certText}\0${keyText}`).digest("hex");
    const cached = this.entries.get(id) ?? this.used.get(id);
    if (cached && now >= cached.cert.chainValidFrom && now <= cached.cert.chainValidTo) {
      this.used.set(id, cached);
      return cached;
    }
    const result = checkCertificate(name, certText, keyText, now);
    if (result.ok) this.used.set(id, result);
    return result;
  };

  // Keep only what the pass used.
  endPass(): void {
    this.entries = this.used;
    this.used = new Map();
  }
}
