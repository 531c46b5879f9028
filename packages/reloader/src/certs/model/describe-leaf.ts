// The unchecked description of a PEM's leaf and chain expiry, for a default certificate served without a
// check of its own; pure and total (null, never a throw).
import { X509Certificate } from "node:crypto";
import { subjectOf } from "../../model/certificate-subject.js";
import type { CheckedCertificate } from "./certificate-check.js";
import { certificateNames } from "./certificate-names.js";
import { MAX_CERTIFICATE_TEXT, MAX_CHAIN_LENGTH } from "./check-certificate.js";
import { pemBlocks } from "./pem-blocks.js";
import { readableDate } from "./readable-date.js";

// What describeLeaf tells of a PEM.
export type DescribedLeaf = Pick<
  CheckedCertificate,
  "subject" | "names" | "notAfter" | "fingerprint" | "firstNotAfter"
>;

// What a PEM's first certificate says (subject, names, expiry, fingerprint), and the first expiry of its
// chain, unchecked: for the default certificate HAProxy serves when no checked one was accepted
// (HAPROXY_SSL_CERT, or a previous default kept), so status and the expiry metric still cover it, counted
// as the checked ones are (before, to the leaf alone: a kept copy whose CA expired first showed the leaf's
// days and lost its warning). Null when the leaf does not parse.
export function describeLeaf(pem: string): DescribedLeaf | null {
  // A mounted HAPROXY_SSL_CERT copied as it is may hold chain and key in up to twice a text.
  if (pem.length > 2 * MAX_CERTIFICATE_TEXT) return null;
  const [block, ...issuers] = pemBlocks(pem, "CERTIFICATE").slice(0, MAX_CHAIN_LENGTH);
  if (block === undefined) return null;
  try {
    const leaf = new X509Certificate(block);
    if (!readableDate(leaf.validTo)) return null;
    const notAfter = Date.parse(leaf.validTo);
    return {
      subject: subjectOf(leaf),
      names: certificateNames(leaf),
      notAfter,
      fingerprint: leaf.fingerprint256,
      firstNotAfter: Math.min(notAfter, ...issuers.map(readNotAfter)),
    };
  } catch {
    return null;
  }
}

// A chain certificate's expiry (ms); Infinity when it does not parse or its date cannot be read.
function readNotAfter(block: string): number {
  try {
    const cert = new X509Certificate(block);
    return readableDate(cert.validTo) ? Date.parse(cert.validTo) : Infinity;
  } catch {
    return Infinity;
  }
}
