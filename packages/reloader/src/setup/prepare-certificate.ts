// With ENABLE_SSL: make sure <state>/server.pem (what HAProxy loads) holds a valid certificate + key: a
// copy of HAPROXY_SSL_CERT when it is given and exists, else built from metadata (self/service/metadata/
// ssl_cert + ssl_key), also written to HAPROXY_SSL_CERT when that is given, as the original did. HAProxy
// never loads the mounted file itself: an edit that breaks it cannot fail the routing's checks, and the
// certificate manager copies a changed one only once it passes its checks. Problems are StartupErrors
// (exit 2, one line naming the source): before, a certificate node:crypto reads but HAProxy refuses (an
// RSA-1024 key at OpenSSL's security level 2) ended in HAProxy's failed start, exit 1.
import { readFile } from "node:fs/promises";
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { buildCertificatePem, validateCertificateFile } from "../model/build-certificate-pem.js";
import { checkCertificate } from "../certs/model/check-certificate.js";
import { MOUNTED_FILE_RULES } from "../certs/model/plan-certificates.js";
import { MAX_CERT_FILE_BYTES, readCertFile } from "../certs/sources/read-cert-dir.js";
import type { SslOptions } from "../options/reloader-options.js";
import { writeCertificate } from "../output/write-certificate.js";
import { readSslMaterial } from "../sources/read-ssl-material.js";
import { StartupError } from "../startup-error.js";

// HAProxy's reason to refuse a PEM, or null (verify-with-haproxy.ts).
export type CertificateJudge = (pem: string) => Promise<string | null>;

// Ensure the certificate file; returns where it came from. `now` dates the running manager's check.
export async function prepareCertificate(
  ssl: SslOptions,
  client: MetadataClient,
  logger: Logger,
  judge: CertificateJudge,
  now = Date.now(),
): Promise<"file" | "metadata"> {
  // Unset: the copy a reloader started before in this container wrote (it has no other source).
  const source = ssl.certFile ?? ssl.certPath;
  // How messages name it: the option only when it is set (the image leaves it unset), as the user set it
  // (`--ssl-cert` or HAPROXY_SSL_CERT), and ENABLE_SSL likewise.
  const { enabled, certFile: option } = ssl.names;
  const named = ssl.certFile === null ? `the default certificate ${source}` : `${option}=${source}`;
  const missing =
    ssl.certFile === null
      ? `${enabled} and no default certificate: ${option} is unset, ${source} does not exist`
      : `${enabled} and ${option}=${source} does not exist`;
  // The mounted file is read as the certificate manager reads it: a regular file, capped, opened without
  // blocking (a FIFO, a directory Docker made of a vanished bind source, an unreadable file: refused).
  let existing: string | null;
  let unreadable: string | null = null;
  if (ssl.certFile === null) existing = await readExisting(source);
  else {
    const read = await readCertFile(ssl.certFile, 2 * MAX_CERT_FILE_BYTES);
    existing = typeof read === "string" ? read : null;
    if (typeof read !== "string" && !read.reason.includes("(ENOENT)")) unreadable = read.reason;
  }
  // A restart: the copy an earlier start checked, which HAProxy may be serving now (asked only when the
  // mounted file is missing or refused).
  const goodCopy = async () => {
    if (source === ssl.certPath) return false;
    const copy = await readExisting(ssl.certPath);
    return copy !== null && (await checkPem(copy, judge)).ok;
  };
  // The mounted file broken by an edit, refused by the manager's own check (an expired renewal) or gone,
  // while that copy is still good: the copy stays, as the running manager kept it. Before, a restart
  // exited 2 (leaving HAProxy unmanaged), or served what the manager had refused, or built the default
  // from metadata in its place.
  const keepCopy = (reason: string) => {
    logger.warn(
      { event: "certificate.kept", path: ssl.certPath, refused: source, reason },
      `${option}=${source} is refused (${reason}): serving the copy checked before`,
    );
    return "file" as const;
  };
  if (unreadable !== null) {
    if (await goodCopy()) return keepCopy(unreadable);
    throw new StartupError(`${option}=${source} ${unreadable}`);
  }
  if (existing !== null) {
    const checked = await checkPem(existing, judge);
    if (!checked.ok) {
      if (await goodCopy()) return keepCopy(checked.reason.replace(/^:? /, ""));
      throw new StartupError(`${named}${checked.reason}`);
    }
    const refused = source === ssl.certPath ? null : managerRefusal(existing, now);
    if (refused !== null && (await goodCopy())) return keepCopy(refused);
    // What HAProxy judged: the chain, then the key, as the manager writes it (its first pass then finds
    // that verdict by digest instead of loading the certificate again).
    if (source !== ssl.certPath) await writeCertificate(ssl.certPath, checked.pem);
    logger.info(
      { event: "certificate.found", path: source, subject: checked.subject, validTo: checked.validTo },
      "using the existing certificate",
    );
    return "file";
  }
  if (await goodCopy()) return keepCopy("it does not exist");
  let material;
  try {
    material = await readSslMaterial(client);
  } catch (error) {
    throw new StartupError(`${missing}, and the metadata service could not be read: ${String(error)}`);
  }
  if (material.cert === null || material.key === null)
    throw new StartupError(
      `${missing}, and the service metadata has no ` +
        `${material.cert === null ? "ssl_cert" : "ssl_key"}: mount the PEM or set ssl_cert and ssl_key`,
    );
  const outcome = buildCertificatePem(material.cert, material.key, ssl.base64Encoded);
  if (!outcome.ok) throw new StartupError(`metadata ${outcome.reason}`);
  const refused = await judge(outcome.pem);
  if (refused !== null) throw new StartupError(`metadata ssl_cert/ssl_key: ${refused}`);
  await writeCertificate(source, outcome.pem);
  if (source !== ssl.certPath) await writeCertificate(ssl.certPath, outcome.pem);
  logger.info(
    {
      event: "certificate.written",
      path: source,
      subject: outcome.subject,
      validTo: outcome.validTo,
      mode: "0600",
    },
    "built the certificate from metadata",
  );
  return "metadata";
}

// Why the certificate manager's check of a mounted file (plan-certificates.ts) refuses `pem`, or null.
function managerRefusal(pem: string, now: number): string | null {
  const checked = checkCertificate("default", pem, pem, now, MOUNTED_FILE_RULES);
  return checked.ok ? null : checked.skipped.reason;
}

// The PEM validated by node:crypto, then its chain and key (`pem` in the answer) judged by HAProxy; the
// reason is written to follow the path.
async function checkPem(
  pem: string,
  judge: CertificateJudge,
): Promise<{ ok: true; pem: string; subject: string; validTo: string } | { ok: false; reason: string }> {
  const outcome = validateCertificateFile(pem);
  if (!outcome.ok) return { ok: false, reason: ` ${outcome.reason}` };
  const refused = await judge(outcome.pem);
  if (refused !== null) return { ok: false, reason: `: ${refused}` };
  return { ok: true, pem: outcome.pem, subject: outcome.subject, validTo: outcome.validTo };
}

async function readExisting(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    // Only the state dir's copy is read here (readCertFile reads the mounted file): named as that copy.
    throw new StartupError(`the default certificate ${path} cannot be read (${code ?? String(error)})`);
  }
}
