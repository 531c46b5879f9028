// The host names a certificate is selected by (SNI), as HAProxy reads them.
import type { X509Certificate } from "node:crypto";

// CN and DNS subjectAltNames, lowercased, deduplicated, in order.
export function certificateNames(cert: X509Certificate): string[] {
  const names: string[] = [];
  const cn = /^CN=(.*)$/m.exec((cert.subject as string | undefined) ?? "")?.[1]; // undefined: empty
  if (cn) names.push(cn);
  for (const part of (cert.subjectAltName ?? "").split(/,\s*/))
    if (part.startsWith("DNS:")) names.push(part.slice(4));
  return [...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n !== ""))];
}
