// The certificates an earlier reloader served, as the plan of a pass before the first: each file it wrote
// (meta-<name>.pem, dir-<name>.pem: chain and key in one PEM) that still passes node's checks, under the
// label its source gives it (metadata/<name>, dir/<name>). keepPreviousCertificates then keeps one whose
// source the first pass reads and refuses; before, a restart with a refused source (a renewal half
// written, a key from another renewal) dropped its site to the default certificate. Pure, total.
import type { CheckCertificate } from "./check-certificate.js";
import { CERT_NAME } from "./list-metadata-certs.js";
import type { PlannedCertificate } from "./plan-certificates.js";

// `written` as read by readWrittenCertificates; `now` dates the checks; an unknown file name is left out.
export function previousCertificates(
  written: readonly { file: string; pem: string }[],
  now: number,
  check: CheckCertificate,
): PlannedCertificate[] {
  const previous: PlannedCertificate[] = [];
  for (const { file, pem } of written) {
    const match = /^(meta|dir)-(.*)\.pem$/.exec(file);
    const name = match?.[2];
    if (match === null || name === undefined || !CERT_NAME.test(name)) continue;
    const source = match[1] === "meta" ? "metadata" : "directory";
    const checked = check(`${match[1] === "meta" ? "metadata" : "dir"}/${name}`, pem, pem, now);
    if (checked.ok) previous.push({ ...checked.cert, file, source });
  }
  return previous;
}
