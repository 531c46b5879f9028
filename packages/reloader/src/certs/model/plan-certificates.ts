// Every certificate source → the set HAProxy should serve: the default certificate (when it comes from
// metadata), the named ones each with its file name, and the skipped ones with a reason. Pure and total.
import type { MetadataCerts } from "../sources/read-metadata-certs.js";
import type { CertDirFiles } from "../sources/read-cert-dir.js";
import { checkCertificate, type CheckedCertificate, type SkippedCertificate } from "./check-certificate.js";

/** at most this many named certificates are served; the rest (in name order) are skipped */
export const MAX_CERTIFICATES = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

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
  for (const entry of metadataEntries(metadata?.certs ?? null, plan.skipped)) {
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
    for (const pair of directoryPairs(sources.directory.files, plan.skipped))
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

// `certs:` must be a map of name → {cert, key} (strings); anything else is skipped with a reason.
function metadataEntries(
  certs: unknown,
  skipped: SkippedCertificate[],
): { name: string; cert: string; key: string }[] {
  if (certs === null) return [];
  if (typeof certs !== "object" || Array.isArray(certs)) {
    skipped.push({ name: "metadata/certs", reason: "certs is not a map of name → {cert, key}" });
    return [];
  }
  const entries: { name: string; cert: string; key: string }[] = [];
  for (const name of Object.keys(certs).sort()) {
    const value = (certs as Record<string, unknown>)[name];
    const label = NAME.test(name) ? `metadata/${name}` : `metadata/${JSON.stringify(name.slice(0, 40))}`;
    if (!NAME.test(name)) {
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
    entries.push({ name, cert, key });
  }
  return entries;
}

// <name>.pem holds the chain and the key; otherwise <name>.crt + <name>.key (a .pem wins over the pair).
function directoryPairs(
  files: Record<string, string>,
  skipped: SkippedCertificate[],
): { name: string; cert: string; key: string }[] {
  const byName = new Map<string, { pem?: string; crt?: string; key?: string }>();
  for (const [file, text] of Object.entries(files)) {
    const match = /^(.*)\.(pem|crt|key)$/.exec(file);
    if (!match) continue;
    const name = match[1] ?? "";
    const kind = match[2] as "pem" | "crt" | "key";
    byName.set(name, { ...byName.get(name), [kind]: text });
  }
  const pairs: { name: string; cert: string; key: string }[] = [];
  for (const name of [...byName.keys()].sort()) {
    const parts = byName.get(name) ?? {};
    if (!NAME.test(name)) {
      skipped.push({
        name: `dir/${JSON.stringify(name.slice(0, 40))}`,
        reason: "the file name must match [A-Za-z0-9][A-Za-z0-9._-]{0,99}",
      });
      continue;
    }
    if (parts.pem !== undefined) pairs.push({ name, cert: parts.pem, key: parts.pem });
    else if (parts.crt !== undefined && parts.key !== undefined)
      pairs.push({ name, cert: parts.crt, key: parts.key });
    else
      skipped.push({
        name: `dir/${name}`,
        reason: parts.crt === undefined ? `${name}.key has no ${name}.crt` : `${name}.crt has no ${name}.key`,
      });
  }
  return pairs;
}

function decodeBase64(text: string): string | null {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, "base64").toString("utf8");
}
