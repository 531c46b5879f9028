// Every certificate source → the set HAProxy should serve: the default certificate (from HAPROXY_SSL_CERT
// or metadata), the named ones each with its file name, and the skipped ones with a reason. Pure and total.
import type { MetadataCerts } from "../sources/read-metadata-certs.js";
import type { CertDirFiles } from "../sources/read-cert-dir.js";
import type { DefaultFileRead } from "../sources/read-certificate-sources.js";
import { listMetadataCerts, type NamedCertificate } from "./list-metadata-certs.js";
import { pairDirectoryFiles } from "./pair-directory-files.js";
import { compactBlock, pemBlocks } from "./pem-blocks.js";
import type { CheckedCertificate, SkippedCertificate } from "./certificate-check.js";
import {
  checkCertificate,
  MAX_CERTIFICATE_TEXT,
  type CheckCertificate,
  type CheckRules,
} from "./check-certificate.js";

/** HAPROXY_SSL_CERT is checked as the start checks it (validateCertificateFile): any chain order, only
 * the leaf's dates, and chain and key together up to twice a certificate text */
export const MOUNTED_FILE_RULES: CheckRules = Object.freeze({
  chain: "as-haproxy",
  maxText: 2 * MAX_CERTIFICATE_TEXT,
});

/** appended to the reason of a refused default certificate that is the one HAProxy loads (a first start
 * serves it: HAProxy needs a default certificate, and the named ones serve on) */
export const SERVED_ANYWAY_NOTE = "it is served all the same: HAProxy has no other default certificate";

/** at most this many named certificates are served; the rest (in name order) are skipped */
export const MAX_CERTIFICATES = 1000;
/** the reason of the named certificates past MAX_CERTIFICATES */
export const CAP_REASON = `more than ${MAX_CERTIFICATES} certificates`;

// A named certificate and the file (inside <state>/certs/) HAProxy loads it from.
export interface PlannedCertificate extends CheckedCertificate {
  file: string;
  source: "metadata" | "directory";
}

// The planned set.
export interface CertificatePlan {
  /** the default certificate from HAPROXY_SSL_CERT or metadata ssl_cert/ssl_key; null when absent or
   * refused (the one HAProxy loads then stays) */
  default: CheckedCertificate | null;
  certs: PlannedCertificate[];
  skipped: SkippedCertificate[];
}

// What the plan is made of: raw metadata (null: not read), the directory's files (null: no SSL_CERT_DIR).
export interface CertificateSources {
  metadata: MetadataCerts | null;
  directory: CertDirFiles | null;
  base64Encoded: boolean;
  /** the default certificate is built from metadata (HAPROXY_SSL_CERT unset) */
  manageDefault: boolean;
  /** HAPROXY_SSL_CERT as read (chain and key in one PEM): the default certificate's source when set */
  defaultFile?: DefaultFileRead | null;
  now: number;
  /** the default certificate HAProxy loads (its PEM): a refused default with the same chain says it is
   * served (before, /healthz listed the certificate HAProxy served as skipped, nothing more) */
  servedDefault?: string | null;
  /** checkCertificate, or a cached version of it (the manager's: parsing costs ~3 ms a certificate) */
  check?: CheckCertificate;
}

// Check everything; the order of `certs` is stable (metadata names, then directory names, sorted).
export function planCertificates(sources: CertificateSources): CertificatePlan {
  const plan: CertificatePlan = { default: null, certs: [], skipped: [] };
  const { metadata, base64Encoded, now } = sources;
  const check = sources.check ?? checkCertificate;
  const decode = (text: string) => (base64Encoded ? decodeBase64(text) : text);
  const badBase64 = "not valid base64 (SSL_BASE64_ENCODED=true)";
  // A refused default whose chain is the one HAProxy loads (`certText`: its certificate text) says so.
  const refuseDefault = (reason: string, certText: string | null) => {
    const served = sources.servedDefault == null ? null : chainOf(sources.servedDefault);
    const same = certText !== null && served !== "" && chainOf(certText) === served;
    plan.skipped.push({ name: "default", reason: same ? `${reason}; ${SERVED_ANYWAY_NOTE}` : reason });
  };
  if (sources.defaultFile) {
    const { path, name, read } = sources.defaultFile;
    const checked = typeof read === "string" ? check("default", read, read, now, MOUNTED_FILE_RULES) : null;
    if (checked?.ok) plan.default = checked.cert;
    else {
      const reason = checked?.skipped.reason ?? (typeof read === "string" ? "" : read.reason);
      refuseDefault(`${name}=${path}: ${reason}`, typeof read === "string" ? read : null);
    }
  } else if (sources.manageDefault && metadata?.defaultCert != null && metadata.defaultKey != null) {
    const cert = decode(metadata.defaultCert);
    const key = decode(metadata.defaultKey);
    const checked = cert === null || key === null ? null : check("default", cert, key, now);
    if (checked?.ok) plan.default = checked.cert;
    else refuseDefault(checked?.skipped.reason ?? badBase64, cert);
  } else if (sources.manageDefault && (metadata?.defaultCert != null) !== (metadata?.defaultKey != null)) {
    // Half a pair (a certificate without its key, or the reverse) is reported, never silently ignored.
    const missing = metadata?.defaultCert == null ? "ssl_cert" : "ssl_key";
    plan.skipped.push({
      name: "default",
      reason: `${missing} is missing from metadata (only one half given)`,
    });
  }
  const candidates: (NamedCertificate & {
    label: string;
    file: string;
    source: PlannedCertificate["source"];
  })[] = [];
  for (const entry of listMetadataCerts(metadata?.certs ?? null, plan.skipped))
    candidates.push({
      ...entry,
      label: `metadata/${entry.name}`,
      source: "metadata",
      file: `meta-${entry.name}.pem`,
    });
  if (sources.directory) {
    for (const problem of sources.directory.problems)
      plan.skipped.push({ name: `dir/${problem.name}`, reason: problem.reason });
    for (const pair of pairDirectoryFiles(sources.directory.files, plan.skipped))
      candidates.push({
        ...pair,
        label: `dir/${pair.name}`,
        source: "directory",
        file: `dir-${pair.name}.pem`,
      });
  }
  for (const [index, candidate] of candidates.entries()) {
    const { label } = candidate;
    if (index >= MAX_CERTIFICATES) {
      plan.skipped.push({ name: label, reason: CAP_REASON });
      continue;
    }
    // Only metadata is base64 encoded (SSL_BASE64_ENCODED); directory files are PEM.
    const encoded = candidate.source === "metadata";
    const cert = encoded ? decode(candidate.cert) : candidate.cert;
    const key = encoded ? decode(candidate.key) : candidate.key;
    const checked = cert === null || key === null ? null : check(label, cert, key, now);
    if (checked?.ok) plan.certs.push({ ...checked.cert, file: candidate.file, source: candidate.source });
    else plan.skipped.push(checked?.skipped ?? { name: label, reason: badBase64 });
  }
  return plan;
}

// A PEM's certificate blocks as HAProxy's copy holds them (build-certificate-pem.ts, check-certificate.ts).
function chainOf(text: string): string {
  return pemBlocks(text, "CERTIFICATE").map(compactBlock).join("\n");
}

function decodeBase64(text: string): string | null {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, "base64").toString("utf8");
}
