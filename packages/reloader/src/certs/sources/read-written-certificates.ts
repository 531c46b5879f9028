// The named certificates an earlier reloader wrote into <state>/certs and listed in its crt-list (the set
// HAProxy loads at a restart or runs when adopted), as PEM texts by file name. The first pass starts from
// them (previous-certificates.ts), so a source refused at that pass keeps its served version across a
// restart of the reloader, as it does between two passes. Never throws: nothing readable is nothing.
// Every read is bounded and opened without blocking (readCertFile): before, a FIFO the crt-list named held
// the start forever (prepare() never returned), and a huge file was read whole before the checks refused it.
import { basename, dirname, join } from "node:path";
import { MAX_CERTIFICATES } from "../model/plan-certificates.js";
import { MAX_CERT_FILE_BYTES, readCertFile } from "./read-cert-dir.js";

// One file the crt-list names: its base name (meta-<name>.pem, dir-<name>.pem) and its text.
export interface WrittenCertificate {
  file: string;
  pem: string;
}

/** the most bytes of a written PEM read: a chain and a key, each at most a certificate file's bytes */
export const MAX_WRITTEN_PEM_BYTES = 2 * MAX_CERT_FILE_BYTES;
/** the most bytes of the crt-list read: MAX_CERTIFICATES lines of a path up to PATH_MAX, and the header */
export const MAX_WRITTEN_CRT_LIST_BYTES = (MAX_CERTIFICATES + 1) * 4_200;

// The files of the crt-list at `crtListPath` that lie in its own directory and can be read (regular files
// within the bounds above; the first MAX_CERTIFICATES of them).
export async function readWrittenCertificates(crtListPath: string): Promise<WrittenCertificate[]> {
  const list = await readCertFile(crtListPath, MAX_WRITTEN_CRT_LIST_BYTES);
  if (typeof list !== "string") return [];
  const dir = dirname(crtListPath);
  const written: WrittenCertificate[] = [];
  for (const line of list.split("\n")) {
    if (written.length >= MAX_CERTIFICATES) break;
    const path = line.trim();
    if (path === "" || path.startsWith("#") || dirname(path) !== dir) continue;
    const pem = await readCertFile(join(dir, basename(path)), MAX_WRITTEN_PEM_BYTES);
    if (typeof pem === "string") written.push({ file: basename(path), pem });
  }
  return written;
}
