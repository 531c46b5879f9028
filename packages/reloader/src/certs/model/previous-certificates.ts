// The certificates an earlier reloader served, as the plan of a pass before the first: each file it wrote
// (meta-<name>.pem, dir-<name>.pem: chain and key in one PEM) that still passes node's checks, under the
// label its source gives it (metadata/<name>, dir/<name>). keepPreviousCertificates then keeps one whose
// source the first pass reads and refuses; before, a restart with a refused source (a renewal half
// written, a key from another renewal) dropped its site to the default certificate. Pure, total.
import { MAX_CERTIFICATE_TEXT, type CheckCertificate, type CheckRules } from "./check-certificate.js";
import { CERT_NAME } from "./list-metadata-certs.js";
import type { PlannedCertificate } from "./plan-certificates.js";

/** a written file's rules: strict, as its source was checked, but its whole text (chain and key, each up to
 * MAX_CERTIFICATE_TEXT) is both texts of the check; with the default cap a served certificate whose chain
 * and key were over 64 K characters together was refused here, so not kept across a restart */
export const WRITTEN_FILE_RULES: CheckRules = Object.freeze({
  chain: "strict",
  maxText: 2 * MAX_CERTIFICATE_TEXT,
});

// `written` as read by readWrittenCertificates; `now` dates the checks; an unknown file name is left out.
export function previousCertificates(
  written: readonly { file: string; pem: string }[],
  now: number,
  check: CheckCertificate,
): PlannedCertificate[] {
  const previous: PlannedCertificate[] = [];
  for (const entry of written) {
    const label = writtenLabel(entry);
    if (label === null) continue;
    const checked = check(label.name, entry.pem, entry.pem, now, WRITTEN_FILE_RULES);
    if (checked.ok) previous.push({ ...checked.cert, file: entry.file, source: label.source });
  }
  return previous;
}

// The label a written file's source gives it (metadata/<name>, dir/<name>) and its source, read from the
// file name alone (nothing parsed): which written files a pass may keep is known before any is checked.
export function writtenLabel(written: { file: string }): WrittenLabel | null {
  const match = /^(meta|dir)-(.*)\.pem$/.exec(written.file);
  const name = match?.[2];
  if (match === null || name === undefined || !CERT_NAME.test(name)) return null;
  const source = match[1] === "meta" ? "metadata" : "directory";
  return { name: `${match[1] === "meta" ? "metadata" : "dir"}/${name}`, source };
}

// A written file's label (metadata/<name>, dir/<name>: the plan's and the check's name) and its source.
export interface WrittenLabel {
  name: string;
  source: PlannedCertificate["source"];
}
