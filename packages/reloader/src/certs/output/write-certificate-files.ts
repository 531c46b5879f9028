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

// When stale files may go: at once (before HAProxy runs), or once out of the crt-list for `graceMs`.
export interface StaleRemoval {
  graceMs: number;
  /** when each stale file was first seen stale (the caller's, kept between calls; performance.now()) */
  staleSince: Map<string, number>;
  now: number;
}

// Remove the *.pem files of `dir` that are not in `keep` (absolute paths); returns the removed names.
// With `removal`, a file goes only once it has been stale for its grace: a routing `haproxy -c` started
// before the crt-list changed still loads every file the old list named (at 1 000 certificates that
// takes seconds), and a file removed under it failed that check, which refused a valid routing change.
export async function removeStaleCertificateFiles(
  dir: string,
  keep: ReadonlySet<string>,
  removal?: StaleRemoval,
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const kept = new Set([...keep].map((path) => basename(path)));
  const stale = names.filter((name) => name.endsWith(".pem") && !kept.has(name));
  const due = removal === undefined ? stale : stale.filter((name) => isDue(name, removal));
  if (removal !== undefined)
    for (const name of removal.staleSince.keys()) if (!stale.includes(name)) removal.staleSince.delete(name);
  for (const name of due) {
    await rm(join(dir, name), { force: true });
    removal?.staleSince.delete(name);
  }
  return due;
}

// Notes when `name` was first seen stale; true once its grace is over.
function isDue(name: string, { graceMs, staleSince, now }: StaleRemoval): boolean {
  const since = staleSince.get(name);
  if (since === undefined) staleSince.set(name, now);
  return since !== undefined && now - since >= graceMs;
}
