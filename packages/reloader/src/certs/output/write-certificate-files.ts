// Place certificate PEMs and the crt-list in <state>/certs (0700 dir, 0600 files), always before HAProxy
// is told about them, so a reload or restart reproduces the runtime state; stale files are removed.
import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { writeFileAtomic } from "@rancher-haproxy/core";

// Write each PEM (absolute path → text), then the crt-list text.
export async function writeCertificateFiles(
  dir: string,
  pems: ReadonlyMap<string, string>,
  crtList: { path: string; text: string },
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [path, pem] of pems) await writeFileAtomic(path, pem, 0o600);
  await writeFileAtomic(crtList.path, crtList.text, 0o600);
}

// Remove the *.pem files of `dir` that are not in `keep` (absolute paths); returns the removed names.
export async function removeStaleCertificateFiles(dir: string, keep: ReadonlySet<string>): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const kept = new Set([...keep].map((path) => basename(path)));
  const stale = names.filter((name) => name.endsWith(".pem") && !kept.has(name));
  for (const name of stale) await rm(join(dir, name), { force: true });
  return stale;
}
