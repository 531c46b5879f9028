// A certificate that was served and whose source is still there but now refused keeps its served
// version while that version is valid: a renewal caught half written (a `cp` over the file, a .crt
// renewed before its .key), an SSL_CERT_DIR that cannot be listed for a moment, or a new version HAProxy
// refuses no longer drops the name to the default certificate until the next poll. The refusal stays
// visible: its skipped entry says the previous version is still served. A source removed is a removal,
// and a previous version whose chain expired (its leaf, an intermediate or the CA) is dropped. Pure, total.
import type { CertDirFiles } from "../sources/read-cert-dir.js";
import { CERT_NAME } from "./list-metadata-certs.js";
import {
  CAP_REASON,
  MAX_CERTIFICATES,
  type CertificatePlan,
  type PlannedCertificate,
} from "./plan-certificates.js";

/** appended to the reason of a refused certificate whose previous version is still served */
export const KEPT_NOTE = "the previous version is still served";

// `previous` are the certificates the last pass served, `present` the labels whose source still exists
// but could not be read (presentCertificateLabels), `now` the clock in ms. A certificate is kept only
// when this pass read its source and refused it (a skipped entry of its own, not the count cap), or could
// not read it, and while its whole chain is valid (before, the leaf alone counted: one whose CA had
// expired stayed served, refused by clients, until its leaf expired); never past MAX_CERTIFICATES in all.
export function keepPreviousCertificates(
  plan: CertificatePlan,
  previous: readonly PlannedCertificate[],
  present: ReadonlySet<string>,
  now: number,
): CertificatePlan {
  const mayKeep = mayKeepPrevious(plan, present);
  const room = Math.max(0, MAX_CERTIFICATES - plan.certs.length);
  const kept = previous.filter((cert) => mayKeep(cert.name) && cert.chainValidTo > now).slice(0, room);
  if (kept.length === 0) return plan;
  const keptNames = new Set(kept.map((cert) => cert.name));
  const skipped = plan.skipped.map((entry) =>
    keptNames.has(entry.name) ? { ...entry, reason: `${entry.reason}; ${KEPT_NOTE}` } : entry,
  );
  const noted = new Set(skipped.map((entry) => entry.name));
  for (const cert of kept)
    if (!noted.has(cert.name))
      skipped.push({ name: cert.name, reason: `its source could not be read; ${KEPT_NOTE}` });
  // The plan's own order: metadata certificates, then directory ones, each by name.
  const certs = [...plan.certs, ...kept].sort(
    (a, b) => sourceRank(a) - sourceRank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { ...plan, certs, skipped };
}

// Whether `plan` leaves a previous certificate of this name to keep: not planned, and its source read
// and refused (not for the count cap) or `present` but unreadable. Known from names alone, so the first
// pass checks only the written files it may keep (certificate-planner.ts).
export function mayKeepPrevious(
  plan: CertificatePlan,
  present: ReadonlySet<string>,
): (name: string) => boolean {
  const planned = new Set(plan.certs.map((cert) => cert.name));
  const refused = new Set(
    plan.skipped.filter((entry) => entry.reason !== CAP_REASON).map((entry) => entry.name),
  );
  return (name) => !planned.has(name) && (refused.has(name) || present.has(name));
}

// The directory certificates whose files exist but could not be read this pass: a name with a .pem, .crt
// or .key file that could not be read, and every directory certificate of `previous` when the directory
// itself could not be listed (its files may well still be there; a directory that is gone is listed as
// empty by readCertDir, a removal).
export function presentCertificateLabels(
  directory: CertDirFiles | null,
  previous: readonly Pick<PlannedCertificate, "name" | "source">[],
): Set<string> {
  const present = new Set<string>();
  if (directory === null) return present;
  if (!directory.listed) for (const cert of previous) if (cert.source === "directory") present.add(cert.name);
  for (const problem of directory.problems) {
    const match = /^(.*)\.(?:pem|crt|key)$/.exec(problem.file ?? "");
    if (match?.[1] !== undefined && CERT_NAME.test(match[1])) present.add(`dir/${match[1]}`);
  }
  return present;
}

function sourceRank(cert: PlannedCertificate): number {
  return cert.source === "metadata" ? 0 : 1;
}
