// A certificate's subject as one line. Node gives `undefined` (its types say string) for a certificate
// whose subject is empty, which is allowed when the names are in subjectAltName: reading it as a string
// crashed the start, or every later certificate pass.
import type { X509Certificate } from "node:crypto";

// The subject's lines joined by ", "; "" when it is empty.
export function subjectOf(cert: X509Certificate): string {
  const subject = cert.subject as string | undefined;
  return (subject ?? "").replace(/\n/g, ", ");
}
