// A certificate that was served and whose source is still there but now refused keeps its served
// version while that version is valid: a renewal caught half written (a `cp` over the file, a .crt
// renewed before its .key), an SSL_CERT_DIR that cannot be listed for a moment, or a new version HAProxy
// refuses no longer drops the name to the default certificate until the next poll. The refusal stays
// visible: its skipped entry says the previous version is still served. A source removed is a removal.
// Pure and total.
import type { CertDirFiles } from "../sources/read-cert-dir.js";
import { CERT_NAME } from "./list-metadata-certs.js";
import type { CertificatePlan, PlannedCertificate } from "./plan-certificates.js";

/** appended to the reason of a refused certificate whose previous version is still served */
export const KEPT_NOTE = "the previous version is still served";

// `previous` are the certificates the last pass served, `present` the labels (`metadata/<name>`,
// `dir/<name>`) whose source still exists (presentCertificateLabels), `now` the clock in ms.
export function keepPreviousCertificates(
  plan: CertificatePlan,
  previous: readonly PlannedCertificate[],
  present: ReadonlySet<string>,
  now: number,
): CertificatePlan {
  const planned = new Set(plan.certs.map((cert) => cert.name));
  const kept = previous.filter(
    (cert) => !planned.has(cert.name) && present.has(cert.name) && cert.notAfter > now,
  );
  if (kept.length === 0) return plan;
  const keptNames = new Set(kept.map((cert) => cert.name));
  const skipped = plan.skipped.map((entry) =>
    keptNames.has(entry.name) ? { ...entry, reason: `${entry.reason}; ${KEPT_NOTE}` } : entry,
  );
  const noted = new Set(skipped.map((entry) => entry.name));
  for (const cert of kept)
    if (!noted.has(cert.name))
      skipped.push({ name: cert.name, reason: `its source was not read; ${KEPT_NOTE}` });
  // The plan's own order: metadata certificates, then directory ones, each by name.
  const certs = [...plan.certs, ...kept].sort(
    (a, b) => sourceRank(a) - sourceRank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { ...plan, certs, skipped };
}

// The labels whose source exists: every well-named `certs:` entry of the metadata answer (null: none),
// every name with a .pem, .crt or .key file in SSL_CERT_DIR (read or not), and when the directory
// could not be listed, every directory certificate of `previous` (its files may well still be there).
export function presentCertificateLabels(
  metadataCerts: unknown,
  directory: CertDirFiles | null,
  previous: readonly PlannedCertificate[],
): Set<string> {
  const present = new Set<string>();
  if (typeof metadataCerts === "object" && metadataCerts !== null && !Array.isArray(metadataCerts))
    for (const name of Object.keys(metadataCerts)) if (CERT_NAME.test(name)) present.add(`metadata/${name}`);
  if (directory === null) return present;
  if (!directory.listed) for (const cert of previous) if (cert.source === "directory") present.add(cert.name);
  const fileNames = [...Object.keys(directory.files), ...directory.problems.map((p) => p.file ?? "")];
  for (const file of fileNames) {
    const match = /^(.*)\.(?:pem|crt|key)$/.exec(file);
    if (match?.[1] !== undefined && CERT_NAME.test(match[1])) present.add(`dir/${match[1]}`);
  }
  return present;
}

function sourceRank(cert: PlannedCertificate): number {
  return cert.source === "metadata" ? 0 : 1;
}
