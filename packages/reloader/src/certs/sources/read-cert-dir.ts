// SSL_CERT_DIR: the certificate files a user manages (e.g. Let's Encrypt copies), read whole and bounded:
// top-level *.pem, *.crt and *.key files only (symlinks followed), each at most MAX_CERT_FILE_BYTES.
import { constants } from "node:fs";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

/** a certificate chain + key is a few KB; anything this large is not one */
export const MAX_CERT_FILE_BYTES = 64 * 1024;
/** at most this many files are read from the directory (sorted by name); the rest are reported */
export const MAX_CERT_DIR_FILES = 2000;

// The files read (name → text) and the ones left out, with why.
export interface CertDirFiles {
  files: Record<string, string>;
  /** `name` is shown (quoted), `file` is the file's own name (none: the directory itself) */
  problems: { name: string; reason: string; file?: string }[];
  /** false when the directory could not be listed for another reason than being gone (its files are
   * unknown, not gone) */
  listed: boolean;
}

// Read the directory; a missing or unreadable directory is one problem, never a throw.
export async function readCertDir(dir: string): Promise<CertDirFiles> {
  const result: CertDirFiles = { files: {}, problems: [], listed: true };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.(pem|crt|key)$/.test(name)).sort();
  } catch (error) {
    const code = errorCode(error);
    result.problems.push({ name: dir, reason: `SSL_CERT_DIR cannot be read (${code})` });
    // Gone (or not a directory): its certificates are removed. Anything else: its files are unknown.
    return { ...result, listed: code === "ENOENT" || code === "ENOTDIR" };
  }
  if (names.length > MAX_CERT_DIR_FILES)
    result.problems.push({
      name: dir,
      reason: `${names.length} certificate files: only the first ${MAX_CERT_DIR_FILES} (by name) are read`,
    });
  for (const name of names.slice(0, MAX_CERT_DIR_FILES)) {
    const read = await readCertFile(join(dir, name));
    if (typeof read === "string") result.files[name] = read;
    // A file name may hold anything but `/` (a newline too): quoted, as pair-directory-files.ts does.
    else result.problems.push({ name: JSON.stringify(name.slice(0, 100)), reason: read.reason, file: name });
  }
  return result;
}

// One certificate file's text, or why it was not read: a regular file of at most `maxBytes`
// (symlinks followed, as mounted secrets often are), opened without blocking; never throws.
export async function readCertFile(
  path: string,
  maxBytes = MAX_CERT_FILE_BYTES,
): Promise<string | { reason: string }> {
  let handle;
  try {
    // Non-blocking: a FIFO (also one renamed over a file after a check) opens at once and fstat refuses it;
    // a blocking open waited for a writer forever, and the certificate loop and the stop with it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { reason: `cannot be opened (${errorCode(error)})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { reason: "not a regular file" };
    if (info.size > maxBytes) return { reason: `larger than ${maxBytes} bytes` };
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) return { reason: `larger than ${maxBytes} bytes` };
    return buffer.subarray(0, bytesRead).toString("utf8");
  } catch (error) {
    return { reason: `cannot be read (${errorCode(error)})` };
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : String(error);
}
