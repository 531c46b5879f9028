// The `certs:` map of the service metadata → named {cert, key} entries; bad names and shapes are
// skipped with a reason. Pure.
import type { SkippedCertificate } from "./certificate-check.js";

/** a certificate name: it becomes part of a file name and of /config, so it is kept plain */
export const CERT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** at most this many `certs:` entries are read (by name); one skipped entry reports the rest */
export const MAX_METADATA_CERTS = 1000;
/** a chain + key is a few KB: a larger cert or key text is refused before any parsing */
export const MAX_CERT_TEXT = 64 * 1024;

// One named certificate as text (still base64 when SSL_BASE64_ENCODED=true).
export interface NamedCertificate {
  name: string;
  cert: string;
  key: string;
}

// `certs:` must be a map of name → {cert, key} (strings); anything else is skipped with a reason.
export function listMetadataCerts(certs: unknown, skipped: SkippedCertificate[]): NamedCertificate[] {
  if (certs === null) return [];
  if (typeof certs !== "object" || Array.isArray(certs)) {
    skipped.push({ name: "metadata/certs", reason: "certs is not a map of name → {cert, key}" });
    return [];
  }
  const entries: NamedCertificate[] = [];
  const names = Object.keys(certs).sort();
  if (names.length > MAX_METADATA_CERTS)
    skipped.push({
      name: "metadata/certs",
      reason: `${names.length} entries: only the first ${MAX_METADATA_CERTS} (by name) are read`,
    });
  for (const name of names.slice(0, MAX_METADATA_CERTS)) {
    const value = (certs as Record<string, unknown>)[name];
    const label = CERT_NAME.test(name) ? `metadata/${name}` : `metadata/${JSON.stringify(name.slice(0, 40))}`;
    if (!CERT_NAME.test(name)) {
      skipped.push({ name: label, reason: "the name must match [A-Za-z0-9][A-Za-z0-9._-]{0,99}" });
      continue;
    }
    const record = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    const cert = record["cert"];
    const key = record["key"];
    if (typeof cert !== "string" || typeof key !== "string") {
      skipped.push({ name: label, reason: "needs cert and key (PEM text)" });
      continue;
    }
    if (cert.length > MAX_CERT_TEXT || key.length > MAX_CERT_TEXT) {
      skipped.push({ name: label, reason: `cert or key larger than ${MAX_CERT_TEXT} characters` });
      continue;
    }
    entries.push({ name, cert, key });
  }
  return entries;
}
