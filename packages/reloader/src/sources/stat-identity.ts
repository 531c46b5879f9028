// What a file is without reading it: its device, inode, mode, size and nanosecond mtime and ctime, as one
// comparable string. A write, truncation, chmod or rename over a path changes one of them, so the identity
// of a descriptor taken as it was read (fstat) equals an lstat of the path later only while the path
// still holds the file read.
import type { BigIntStats } from "node:fs";
import { lstat } from "node:fs/promises";

// The identity in `stats` (an lstat of a path, or an fstat of a descriptor opened on a regular file).
export function statIdentity(stats: BigIntStats): string {
  return [stats.dev, stats.ino, stats.mode, stats.size, stats.mtimeNs, stats.ctimeNs].join(":");
}

// The identity of what `path` holds now (lstat: the inputs are read without following a symlink), or
// `error <code>` when it cannot be stat'ed; never throws.
export async function pathIdentity(path: string): Promise<string> {
  return lstat(path, { bigint: true }).then(statIdentity, (error: NodeJS.ErrnoException) => {
    return `error ${error.code ?? String(error)}`;
  });
}
