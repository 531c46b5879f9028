// SSL_CERT_DIR's files → named {cert, key} pairs: <name>.pem (chain + key in one file) or <name>.crt +
// <name>.key; a lone half or a bad name is skipped with a reason. Pure.
import type { SkippedCertificate } from "./certificate-check.js";
import { CERT_NAME, type NamedCertificate } from "./list-metadata-certs.js";

// <name>.pem holds the chain and the key; otherwise <name>.crt + <name>.key (a .pem wins over the pair).
export function pairDirectoryFiles(
  files: Record<string, string>,
  skipped: SkippedCertificate[],
): NamedCertificate[] {
  const byName = new Map<string, { pem?: string; crt?: string; key?: string }>();
  for (const [file, text] of Object.entries(files)) {
    const match = /^(.*)\.(pem|crt|key)$/.exec(file);
    if (!match) continue;
    const name = match[1] ?? "";
    const kind = match[2] as "pem" | "crt" | "key";
    byName.set(name, { ...byName.get(name), [kind]: text });
  }
  const pairs: NamedCertificate[] = [];
  for (const name of [...byName.keys()].sort()) {
    const parts = byName.get(name) ?? {};
    if (!CERT_NAME.test(name)) {
      skipped.push({
        name: `dir/${JSON.stringify(name.slice(0, 40))}`,
        reason: "the file name must match [A-Za-z0-9][A-Za-z0-9._-]{0,99}",
      });
      continue;
    }
    if (parts.pem !== undefined) pairs.push({ name, cert: parts.pem, key: parts.pem });
    else if (parts.crt !== undefined && parts.key !== undefined)
      pairs.push({ name, cert: parts.crt, key: parts.key });
    else
      skipped.push({
        name: `dir/${name}`,
        reason: parts.crt === undefined ? `${name}.key has no ${name}.crt` : `${name}.crt has no ${name}.key`,
      });
  }
  return pairs;
}
