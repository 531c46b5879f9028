// What the certificate manager serves and refused, for /healthz, /metrics and /config (never a key).

/** a certificate expiring within this many days is a warning */
export const EXPIRY_WARNING_DAYS = 14;

// One served certificate as shown: its name, where it came from, the names it is selected by, expiry.
export interface ServedCertificate {
  name: string;
  source: "metadata" | "directory" | "default";
  subject: string;
  names: string[];
  notAfter: string;
  /** when a certificate of the chain expires before the leaf: the earliest notAfter of the chain */
  chainNotAfter?: string;
  /** days until the served chain's first expiry (the leaf's, or chainNotAfter when there is one) */
  daysLeft: number;
  fingerprint: string;
}

// A plain copy of the manager's state.
export interface CertificateSnapshot {
  served: ServedCertificate[];
  skipped: { name: string; reason: string }[];
  /** certificates expiring within EXPIRY_WARNING_DAYS, and other problems (a source that cannot be read) */
  warnings: string[];
  updates: { runtime: number; reload: number; failed: number };
  lastUpdate: { mode: "runtime" | "reload"; at: string } | null;
  lastError: string | null;
}

// Days left until `notAfter` (ms) at `now` (ms), with one decimal.
export function daysLeft(notAfter: number, now: number): number {
  return Math.floor((notAfter - now) / 8_640_000) / 10;
}

// The warnings for a set of served certificates and skipped ones.
export function certificateWarnings(
  served: readonly ServedCertificate[],
  skipped: readonly { name: string; reason: string }[],
): string[] {
  const warnings = served
    .filter((cert) => cert.daysLeft < EXPIRY_WARNING_DAYS)
    .map((cert) => {
      // a served default already past its date (HAProxy has no other) expired, not "expires in -1.1 days"
      const when =
        cert.daysLeft < 0 ? `expired ${-cert.daysLeft} days ago` : `expires in ${cert.daysLeft} days`;
      return cert.chainNotAfter === undefined
        ? `certificate ${cert.name} ${when} (${cert.notAfter})`
        : `certificate ${cert.name} ${when} (a chain certificate, ${cert.chainNotAfter})`;
    });
  for (const skip of skipped) warnings.push(`certificate ${skip.name} skipped: ${skip.reason}`);
  return warnings;
}
