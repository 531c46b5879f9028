// What checking one certificate answers (check-certificate.ts): the checked certificate, or the reason
// it was refused.

// A certificate that passed every check: the PEM HAProxy loads (chain, then key) and what /config shows.
export interface CheckedCertificate {
  name: string;
  pem: string;
  /** sha256 of the whole PEM: tells a changed certificate (or key) apart, never shown */
  digest: string;
  subject: string;
  /** the DNS names HAProxy selects it by: CN and subjectAltName DNS entries (wildcards kept) */
  names: string[];
  notAfter: number;
  fingerprint: string;
  /** the window (ms) in which every certificate of the chain is valid: a cached check holds inside it */
  chainValidFrom: number;
  chainValidTo: number;
  /** the first expiry (ms) of the certificates in the PEM, whatever the rules checked: a mounted
   * HAPROXY_SSL_CERT's issuers are served even once expired, and clients refuse the chain then */
  firstNotAfter: number;
}

// A certificate that was refused, and why.
export interface SkippedCertificate {
  name: string;
  reason: string;
}

// The outcome of checking one certificate.
export type CertificateCheck =
  | { ok: true; cert: CheckedCertificate }
  /** `validFrom` (ms): a "not valid before" refusal no longer holds from then on */
  | { ok: false; skipped: SkippedCertificate; validFrom?: number };
