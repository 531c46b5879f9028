// Every certificate source → the set HAProxy should serve: the default certificate (when it comes from
// metadata), the named ones each with its file name, and the skipped ones with a reason. Pure and total.
import type { MetadataCerts } from "../sources/read-metadata-certs.js";
import type { CertDirFiles } from "../sources/read-cert-dir.js";
import { listMetadataCerts } from "./list-metadata-certs.js";
import { pairDirectoryFiles } from "./pair-directory-files.js";
import { checkCertificate, type CheckedCertificate, type SkippedCertificate } from "./check-certificate.js";

/** at most this many named certificates are served; the rest (in name order) are skipped */
export const MAX_CERTIFICATES = 1000;

// A named certificate and the file (inside <state>/certs/) HAProxy loads it from.
export interface PlannedCertificate extends CheckedCertificate {
  file: string;
  source: "metadata" | "directory";
}

// The planned set.
export interface CertificatePlan {
  /** the default certificate from metadata ssl_cert/ssl_key; null when absent or not managed here */
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
  now: number;
}

// Check everything; the order of `certs` is stable (metadata names, then directory names, sorted).
export function planCertificates(sources: CertificateSources): CertificatePlan {
  const plan: CertificatePlan = { default: null, certs: [], skipped: [] };
  const { metadata, base64Encoded, now } = sources;
  const decode = (text: string) => (base64Encoded ? decodeBase64(text) : text);
  if (sources.manageDefault && metadata?.defaultCert != null && metadata.defaultKey != null) {
    const cert = decode(metadata.defaultCert);
    const key = decode(metadata.defaultKey);
    const check =
      cert === null || key === null
        ? {
            ok: false as const,
            skipped: { name: "default", reason: "not valid base64 (SSL_BASE64_ENCODED=true)" },
          }
        : checkCertificate("default", cert, key, now);
    if (check.ok) plan.default = check.cert;
    else plan.skipped.push(check.skipped);
  }
  const candidates: {
    name: string;
    file: string;
    source: PlannedCertificate["source"];
    cert: string | null;
    key: string | null;
    problem?: string;
  }[] = [];
  for (const entry of listMetadataCerts(metadata?.certs ?? null, plan.skipped)) {
    candidates.push({
      ...entry,
      cert: decode(entry.cert),
      key: decode(entry.key),
      source: "metadata",
      file: `meta-${entry.name}.pem`,
    });
  }
  if (sources.directory) {
    plan.skipped.push(
      ...sources.directory.problems.map((p) => ({ name: `dir/${p.name}`, reason: p.reason })),
    );
    for (const pair of pairDirectoryFiles(sources.directory.files, plan.skipped))
      candidates.push({ ...pair, source: "directory", file: `dir-${pair.name}.pem` });
  }
  for (const [index, candidate] of candidates.entries()) {
    const label = `${candidate.source === "metadata" ? "metadata" : "dir"}/${candidate.name}`;
    if (index >= MAX_CERTIFICATES) {
      plan.skipped.push({ name: label, reason: `more than ${MAX_CERTIFICATES} certificates` });
      continue;
    }
    if (candidate.cert === null || candidate.key === null) {
      plan.skipped.push({ name: label, reason: "not valid base64 (SSL_BASE64_ENCODED=true)" });
      continue;
    }
    const check = checkCertificate(label, candidate.cert, candidate.key, now);
    if (check.ok) plan.certs.push({ ...check.cert, file: candidate.file, source: candidate.source });
    else plan.skipped.push(check.skipped);
  }
  return plan;
}

function decodeBase64(text: string): string | null {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, "base64").toString("utf8");
}
