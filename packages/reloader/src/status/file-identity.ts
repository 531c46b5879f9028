// What a file is without reading it: lstat's device, inode, mode, size and nanosecond mtime and ctime.
// A write, truncation, chmod or rename over the path changes one of them, so equal identities mean the
// bytes are the ones read before (see TripleMemo for a rewrite within one timestamp tick).
import { lstat } from "node:fs/promises";
import { statIdentity } from "../sources/stat-identity.js";

// The identities of some paths as one comparable key, and the newest ctime among them: the kernel sets a
// ctime to its clock on every change, while an mtime can be set to any time (`touch -d 2099-01-01` on the
// shared volume kept every probe from reusing its result).
export interface FilesIdentity {
  key: string;
  /** ms since the epoch; -Infinity when no path could be stat'ed */
  newestMs: number;
}

// lstat (not stat: the inputs are read without following a symlink) of each path; never throws.
export async function identifyFiles(paths: readonly string[]): Promise<FilesIdentity> {
  const stats = await Promise.all(
    paths.map((path) =>
      lstat(path, { bigint: true }).then(
        (s) => ({ key: statIdentity(s), newestNs: s.ctimeNs }),
        (error: NodeJS.ErrnoException) => ({ key: `error ${error.code ?? String(error)}`, newestNs: null }),
      ),
    ),
  );
  const times = stats.flatMap((s) => (s.newestNs === null ? [] : [Number(s.newestNs / 1_000_000n)]));
  return {
    key: JSON.stringify(paths.map((path, index) => [path, stats[index]?.key])),
    newestMs: Math.max(-Infinity, ...times),
  };
}
