// The named certificates an earlier reloader wrote into <state>/certs and listed in its crt-list (the set
// HAProxy loads at a restart or runs when adopted), as PEM texts by file name. The first pass starts from
// them (previous-certificates.ts), so a source refused at that pass keeps its served version across a
// restart of the reloader, as it does between two passes. Never throws: nothing readable is nothing.
import { readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

// One file the crt-list names: its base name (meta-<name>.pem, dir-<name>.pem) and its text.
export interface WrittenCertificate {
  file: string;
  pem: string;
}

// The files of the crt-list at `crtListPath` that lie in its own directory and can be read.
export async function readWrittenCertificates(crtListPath: string): Promise<WrittenCertificate[]> {
  const list = await readFile(crtListPath, "utf8").catch(() => null);
  if (list === null) return [];
  const dir = dirname(crtListPath);
  const written: WrittenCertificate[] = [];
  for (const line of list.split("\n")) {
    const path = line.trim();
    if (path === "" || path.startsWith("#") || dirname(path) !== dir) continue;
    const pem = await readFile(join(dir, basename(path)), "utf8").catch(() => null);
    if (pem !== null) written.push({ file: basename(path), pem });
  }
  return written;
}
