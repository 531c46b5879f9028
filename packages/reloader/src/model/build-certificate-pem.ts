// TLS material → one combined PEM HAProxy can load, validated first; reasons never quote key material.
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { MAX_CERTIFICATE_TEXT, MAX_CHAIN_LENGTH } from "../certs/model/check-certificate.js";
import { compactBlock, firstPemBlock, pemBlocks } from "../certs/model/pem-blocks.js";
import { subjectOf } from "./certificate-subject.js";

// The PEM to write (certificate chain, then key), or why the material is unusable.
export type CertificateOutcome =
  { ok: true; pem: string; subject: string; validTo: string } | { ok: false; reason: string };

const KEY_LABELS = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"] as const;

// Decode (base64 when asked), parse the certificate and key with node:crypto, check they belong together.
export function buildCertificatePem(cert: string, key: string, base64Encoded: boolean): CertificateOutcome {
  const certText = base64Encoded ? decodeBase64(cert) : cert;
  if (certText === null)
    return { ok: false, reason: "ssl_cert is not valid base64 (SSL_BASE64_ENCODED=true)" };
  const keyText = base64Encoded ? decodeBase64(key) : key;
  if (keyText === null) return { ok: false, reason: "ssl_key is not valid base64 (SSL_BASE64_ENCODED=true)" };
  if (certText.length > MAX_CERTIFICATE_TEXT || keyText.length > MAX_CERTIFICATE_TEXT)
    return { ok: false, reason: `ssl_cert or ssl_key is larger than ${MAX_CERTIFICATE_TEXT} characters` };
  const certs = pemBlocks(certText, "CERTIFICATE");
  if (certs.length === 0)
    return { ok: false, reason: "ssl_cert holds no PEM certificate (-----BEGIN CERTIFICATE-----)" };
  const keyBlock = firstPemBlock(keyText, KEY_LABELS);
  if (!keyBlock)
    return { ok: false, reason: "ssl_key holds no PEM private key (-----BEGIN ... PRIVATE KEY-----)" };
  return validatePair(certs, keyBlock, "ssl_cert", "ssl_key");
}

// Check an existing combined PEM file (HAPROXY_SSL_CERT) the same way.
export function validateCertificateFile(text: string): CertificateOutcome {
  if (text.length > 2 * MAX_CERTIFICATE_TEXT)
    return { ok: false, reason: `is larger than ${2 * MAX_CERTIFICATE_TEXT} characters` };
  const certs = pemBlocks(text, "CERTIFICATE");
  if (certs.length === 0)
    return { ok: false, reason: "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" };
  // The certificate manager's limit too: a file the start serves must not be refused at every poll.
  if (certs.length > MAX_CHAIN_LENGTH)
    return { ok: false, reason: `holds a chain of more than ${MAX_CHAIN_LENGTH} certificates` };
  const keyBlock = firstPemBlock(text, KEY_LABELS);
  if (!keyBlock)
    return {
      ok: false,
      reason: "holds no PEM private key after the certificate (-----BEGIN ... PRIVATE KEY-----)",
    };
  return validatePair(certs, keyBlock, "the certificate", "the private key");
}

function validatePair(
  certs: string[],
  keyBlock: string,
  certName: string,
  keyName: string,
): CertificateOutcome {
  // Every block of the chain: one that does not parse stops HAProxy from loading the file at all.
  const chain: X509Certificate[] = [];
  for (const [index, block] of certs.entries()) {
    try {
      chain.push(new X509Certificate(block));
    } catch (error) {
      const which = index === 0 ? certName : `certificate ${index + 1} of ${certName}`;
      return { ok: false, reason: `${which} is not a valid X.509 certificate (${errorCode(error)})` };
    }
  }
  const leaf = chain[0] as X509Certificate;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyBlock);
  } catch (error) {
    return { ok: false, reason: `${keyName} is not a valid unencrypted private key (${errorCode(error)})` };
  }
  if (!leaf.checkPrivateKey(privateKey))
    return {
      ok: false,
      reason: `${keyName} does not belong to ${certName} (subject ${subjectOf(leaf)})`,
    };
  // No blank line or CR inside a block (the runtime API ends a payload at the first empty line).
  const pem = [...certs, keyBlock].map(compactBlock).join("\n") + "\n";
  return { ok: true, pem, subject: subjectOf(leaf), validTo: leaf.validTo };
}

function decodeBase64(text: string): string | null {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  return Buffer.from(compact, "base64").toString("utf8");
}

// Only the error's code (e.g. ERR_OSSL_UNSUPPORTED): OpenSSL messages could echo input bytes.
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "unparseable";
}
