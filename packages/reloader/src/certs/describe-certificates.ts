// The plan as /healthz, /metrics and /config show it: names, SANs, expiry, skipped reasons; never a key.
import {
  certificateWarnings,
  daysLeft,
  type CertificateSnapshot,
  type ServedCertificate,
} from "./certificate-state.js";
import type { CheckedCertificate } from "./model/certificate-check.js";
import type { DescribedLeaf } from "./model/describe-leaf.js";
import type { CertificatePlan } from "./model/plan-certificates.js";

// Served, skipped and warnings at `now`; `sourceProblem` (a source that could not be read) is a warning.
// `servedDefault`: the default certificate HAProxy loads, described unchecked (describeLeaf), shown when
// the plan accepted none (HAPROXY_SSL_CERT, or a refused new default that kept the previous one).
export function describeCertificates(
  plan: CertificatePlan,
  sourceProblem: string | null,
  now: number,
  servedDefault: DescribedLeaf | null = null,
): Pick<CertificateSnapshot, "served" | "skipped" | "warnings"> {
  const served: ServedCertificate[] = [];
  if (plan.default) served.push(describe(plan.default, "default", now));
  else if (servedDefault) served.push(describe({ ...servedDefault, name: "default" }, "default", now));
  for (const cert of plan.certs) served.push(describe(cert, cert.source, now));
  const warnings = certificateWarnings(served, plan.skipped);
  if (sourceProblem) warnings.push(sourceProblem);
  return { served, skipped: plan.skipped.map((skip) => ({ ...skip })), warnings };
}

// A checked certificate's chain may expire before its leaf (an intermediate or a cross-signed root):
// its next version with the same chain is refused from then on (a mounted HAPROXY_SSL_CERT's is served
// expired, and clients refuse it), so the warning counts to that date.
function describe(
  cert: Pick<CheckedCertificate, "name" | "subject" | "names" | "notAfter" | "fingerprint"> &
    Partial<Pick<CheckedCertificate, "firstNotAfter">>,
  source: ServedCertificate["source"],
  now: number,
): ServedCertificate {
  const chainFirst = cert.firstNotAfter !== undefined && cert.firstNotAfter < cert.notAfter;
  const expires = chainFirst ? (cert.firstNotAfter as number) : cert.notAfter;
  return {
    name: cert.name,
    source,
    subject: cert.subject,
    names: [...cert.names],
    notAfter: new Date(cert.notAfter).toISOString(),
    ...(chainFirst ? { chainNotAfter: new Date(expires).toISOString() } : {}),
    daysLeft: daysLeft(expires, now),
    fingerprint: cert.fingerprint,
  };
}
