// Read the three inputs HAProxy is built from, as one hashed triple (the unit of change). Only regular
// files are read, without following a symlink (the volume is untrusted: a link to a 0600 secret must not
// reach the logs): a directory, FIFO, socket or symlink in a file's place is reported, never read.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { MAX_SHARED_FILE_BYTES, readBounded } from "@rancher-haproxy/core";
import { statIdentity } from "./stat-identity.js";

// Where the inputs are.
export interface InputPaths {
  base: string;
  backends: string;
  map: string;
}

// Their bytes and the sha256 of the triple; `paths`: where the two shared files were read (absent: files
// not read from the volume), so a refusal can name the file the user has to fix.
export interface InputFiles {
  base: Buffer;
  backends: Buffer;
  map: Buffer;
  hash: string;
  paths?: Pick<InputPaths, "backends" | "map">;
  /** each shared file's identity as read (stat-identity.ts): a later lstat of its path equals it only
   * while the path still holds the bytes read (absent: files not read from the volume) */
  identities?: Pick<InputPaths, "backends" | "map">;
}

// A file that could not be read, and why.
export interface UnreadableInput {
  path: string;
  reason: string;
}

// The triple, or what is missing or unreadable (a half-readable set is not a configuration).
export type InputsOutcome =
  { ok: true; files: InputFiles } | { ok: false; missing: string[]; unreadable: UnreadableInput[] };

// One file's bytes, or why not (`missing`: ENOENT).
export type InputFileOutcome =
  { ok: true; bytes: Buffer; identity: string } | { ok: false; missing: boolean; reason: string };

/** larger inputs are refused rather than read into memory (the contract's byte cap) */
export const MAX_INPUT_BYTES = MAX_SHARED_FILE_BYTES;

// Read all three; never throws.
export async function readInputs(paths: InputPaths): Promise<InputsOutcome> {
  const order = [paths.base, paths.backends, paths.map];
  const [base, backends, map] = await Promise.all(order.map((path) => readInputFile(path)));
  const missing: string[] = [];
  const unreadable: UnreadableInput[] = [];
  for (const [index, outcome] of [base, backends, map].entries()) {
    const path = order[index] ?? "";
    if (outcome && !outcome.ok)
      if (outcome.missing) missing.push(path);
      else unreadable.push({ path, reason: outcome.reason });
  }
  if (!base?.ok || !backends?.ok || !map?.ok) return { ok: false, missing, unreadable };
  return {
    ok: true,
    files: {
      base: base.bytes,
      backends: backends.bytes,
      map: map.bytes,
      hash: hashInputs(base.bytes, backends.bytes, map.bytes),
      paths: { backends: paths.backends, map: paths.map },
      identities: { backends: backends.identity, map: map.identity },
    },
  };
}

// One regular file (opened non-blocking so a FIFO cannot hang the reloader), at most MAX_INPUT_BYTES;
// a symlink is refused unless `followSymlinks` (a file the user named: --config).
export async function readInputFile(path: string, followSymlinks = false): Promise<InputFileOutcome> {
  let handle;
  try {
    const noFollow = followSymlinks ? 0 : constants.O_NOFOLLOW;
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code === "ELOOP")
      return { ok: false, missing: false, reason: await loopReason(path, followSymlinks) };
    return { ok: false, missing: code === "ENOENT", reason: `cannot be opened (${code})` };
  }
  try {
    const stat = await handle.stat({ bigint: true });
    if (!stat.isFile()) return { ok: false, missing: false, reason: `is not a regular file (${kind(stat)})` };
    if (stat.size > MAX_INPUT_BYTES)
      return { ok: false, missing: false, reason: `is larger than ${MAX_INPUT_BYTES} bytes` };
    // Not handle.readFile(): it reads what the file holds at its own fstat, which may have grown since.
    const bytes = await readBounded(handle, Number(stat.size), MAX_INPUT_BYTES);
    if (bytes === null)
      return { ok: false, missing: false, reason: `grew past ${MAX_INPUT_BYTES} bytes while being read` };
    return { ok: true, bytes, identity: statIdentity(stat) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { ok: false, missing: false, reason: `cannot be read (${code})` };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

// Why an open failed with ELOOP: the file is a symlink not followed, or a symlink loop is on its path
// (lstat fails with ELOOP too) or, followed, at its end. All were said "is a symlink (not followed)", so
// a user looked for a link at the file's path when its directory was the loop.
async function loopReason(path: string, followSymlinks: boolean): Promise<string> {
  const code = await lstat(path).then(
    () => null,
    (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error),
  );
  if (code === "ELOOP") return "cannot be opened (ELOOP: a directory on its path is a symlink loop)";
  return followSymlinks ? "cannot be opened (ELOOP: a symlink loop)" : "is a symlink (not followed)";
}

// sha256 over the three files with their lengths, so moving bytes between files changes the hash.
export function hashInputs(base: Buffer, backends: Buffer, map: Buffer): string {
  const hash = createHash("sha256");
  for (const part of [base, backends, map]) {
    hash.update(`${part.length}:`);
    hash.update(part);
  }
  return hash.digest("hex");
}

function kind(stat: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  return "a device or other special file";
}
