// The plan as files: absolute path → digest and PEM. The default certificate keeps its loaded version
// when the plan has none (absent or skipped in metadata, or HAPROXY_SSL_CERT given).
import { join } from "node:path";
import type { CertificateFiles } from "./plan-certificate-commands.js";
import type { CertificatePlan } from "./plan-certificates.js";

// `certPath` is the default certificate's file, `dir` the directory of the named ones.
export function desiredCertificateFiles(
  plan: CertificatePlan,
  loaded: CertificateFiles,
  certPath: string,
  dir: string,
): CertificateFiles {
  const files = new Map<string, { digest: string; pem: string }>();
  const kept = loaded.get(certPath);
  if (plan.default) files.set(certPath, { digest: plan.default.digest, pem: plan.default.pem });
  else if (kept) files.set(certPath, kept);
  for (const cert of plan.certs) files.set(join(dir, cert.file), { digest: cert.digest, pem: cert.pem });
  return files;
}
