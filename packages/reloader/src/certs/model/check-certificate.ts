// One certificate + key (PEM text) → a usable chain or a reason to skip it; pure (the clock is an
// argument) and total: bad input never throws, and no reason quotes key material.
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { compactBlock, endsInsideBlock, firstPemBlock, pemBlocks } from "./pem-blocks.js";
import { subjectOf } from "../../model/certificate-subject.js";
import type { CertificateCheck } from "./certificate-check.js";
import { certificateNames } from "./certificate-names.js";
import { readableDate } from "./readable-date.js";

const KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"] as const;
/** a chain and its key are a few KB: larger texts are refused before any search (the `certs:` entries
 * have the same cap, list-metadata-certs.ts; this one holds for the service's ssl_cert and ssl_key too) */
export const MAX_CERTIFICATE_TEXT = 64 * 1024;
/** a chain longer than this is refused (a leaf and a few intermediates is normal) */
export const MAX_CHAIN_LENGTH = 8;

// How strict a check is. `chain` "strict": each certificate of the chain issued by the next and valid
// now; "as-haproxy": only the leaf's dates (HAProxy, and the start's check of HAPROXY_SSL_CERT, load a
// chain in any order: a mounted file the start served must not be refused at every poll, its renewals
// with it). `maxText`: the most characters of the cert and of the key text.
export interface CheckRules {
  chain: "strict" | "as-haproxy";
  maxText: number;
}

// The rules of every certificate but a mounted HAPROXY_SSL_CERT.
export const STRICT_RULES: CheckRules = Object.freeze({ chain: "strict", maxText: MAX_CERTIFICATE_TEXT });

// The signature of checkCertificate (planCertificates takes a cached one).
export type CheckCertificate = (
  name: string,
  certText: string,
  keyText: string,
  now: number,
  rules?: CheckRules,
) => CertificateCheck;

// Check `certText` (leaf first, then each issuer) against `keyText` at time `now` (ms).
export function checkCertificate(
  name: string,
  certText: string,
  keyText: string,
  now: number,
  rules: CheckRules = STRICT_RULES,
): CertificateCheck {
  const skip = (reason: string): CertificateCheck => ({ ok: false, skipped: { name, reason } });
  if (certText.length > rules.maxText || keyText.length > rules.maxText)
    return skip(`cert or key larger than ${rules.maxText} characters`);
  // A file read while it is being written: with the key first, its key and leaf passed every check, and
  // the leaf was served without the chain whose block was cut short.
  if (endsInsideBlock(certText) || endsInsideBlock(keyText))
    return skip("a PEM block has no END line (a file read while it was being written?)");
  const blocks = pemBlocks(certText, "CERTIFICATE");
  if (blocks.length === 0) return skip("no PEM certificate (-----BEGIN CERTIFICATE-----)");
  if (blocks.length > MAX_CHAIN_LENGTH) return skip(`a chain of more than ${MAX_CHAIN_LENGTH} certificates`);
  const keyBlock = firstPemBlock(keyText, KEY_LABELS);
  if (!keyBlock) return skip("no unencrypted PEM private key (-----BEGIN ... PRIVATE KEY-----)");
  const chain: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch (error) {
      return skip(`certificate ${index + 1} of the chain does not parse (${errorCode(error)})`);
    }
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock);
  } catch (error) {
    return skip(`the private key does not parse (${errorCode(error)})`);
  }
  const leaf = chain[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key)) return skip("the private key does not belong to the certificate");
  // Only the leaf's dates count "as-haproxy" (the window a cached check holds in too).
  const dated = rules.chain === "strict" ? chain : [leaf];
  for (let index = 0; rules.chain === "strict" && index + 1 < chain.length; index += 1) {
    const cert = chain[index] as X509Certificate;
    const issuer = chain[index + 1] as X509Certificate;
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey))
      return skip(`chain order: certificate ${index + 1} is not issued by certificate ${index + 2}`);
  }
  for (const [index, cert] of dated.entries()) {
    const what = index === 0 ? "the certificate" : `chain certificate ${index + 1}`;
    // A malformed notBefore/notAfter reads as "Bad time value": NaN passes every comparison below and
    // then throws wherever the date is shown.
    if (!readableDate(cert.validFrom) || !readableDate(cert.validTo))
      return skip(`${what} has an unreadable validity date`);
    const validFrom = Date.parse(cert.validFrom);
    if (validFrom > now)
      return {
        ok: false,
        skipped: { name, reason: `${what} is not valid before ${cert.validFrom}` },
        validFrom,
      };
    if (Date.parse(cert.validTo) < now) return skip(`${what} expired on ${cert.validTo}`);
  }
  // No blank line inside: a runtime-API payload ends at the first empty line.
  const pem = [...blocks, keyBlock].map(compactBlock).join("\n") + "\n";
  return {
    ok: true,
    cert: {
      name,
      pem,
      digest: createHash("sha256").update(pem).digest("hex"),
      subject: subjectOf(leaf),
      names: certificateNames(leaf),
      notAfter: Date.parse(leaf.validTo),
      fingerprint: leaf.fingerprint256,
      chainValidFrom: Math.max(...dated.map((cert) => Date.parse(cert.validFrom))),
      chainValidTo: Math.min(...dated.map((cert) => Date.parse(cert.validTo))),
      firstNotAfter: Math.min(...chain.map((cert) => Date.parse(cert.validTo)).filter(Number.isFinite)),
    },
  };
}

// Only an error's code (e.g. ERR_OSSL_PEM_BAD_BASE64_DECODE): OpenSSL messages could echo input bytes.
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "unparseable";
}
