// The interval's cheap check. The safety-net refetch at each interval was a full cycle: at 10 000
// containers an idle generator spent ≈ 41 ms of CPU a second on it. After a good cycle the loop keeps the
// version it read and the identity of the two files it left; at the next interval, when /version answers
// the same and both files still have that identity, a full cycle would write nothing, so it is skipped.
// At most MAX_QUIET_INTERVALS in a row: a full refetch still runs at least every 6 intervals.
import { lstat } from "node:fs/promises";
import type { MetadataClient } from "@rancher-haproxy/core";
import { versionNow } from "../sources/version-now.js";

// How many intervals in a row may end in the cheap check instead of a full refetch.
export const MAX_QUIET_INTERVALS = 5;

// What the last good cycle left: the version it read and its files' identity; `skipped`: checks since.
export interface QuietMark {
  version: string;
  files: string;
  skipped: number;
}

// The identity of the files (device, inode, size, mtime, ctime of each, without following a link);
// null when one cannot be stat'ed (then no check can vouch for them).
export async function fileIdentity(paths: readonly string[]): Promise<string | null> {
  try {
    const stats = await Promise.all(paths.map((path) => lstat(path, { bigint: true })));
    return stats.map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`).join("|");
  } catch {
    return null;
  }
}

// What the check found: `quiet` (skip the cycle), or not, with the version /version answered (null when
// it could not be read or was not a version: the cycle reads it again and reports the failure).
export interface QuietCheck {
  quiet: boolean;
  version: string | null;
}

// Whether the last good cycle still stands: the same version and the same files. Any error is "not quiet".
// `known`: the version /version answered at the interval's deadline (VersionWatcher.cut), not asked
// again.
export async function checkQuiet(
  client: MetadataClient,
  mark: QuietMark,
  paths: readonly string[],
  signal: AbortSignal,
  known?: string | null,
): Promise<QuietCheck> {
  const version = known ?? (await versionNow(client, signal));
  if (version !== mark.version) return { quiet: false, version };
  return { quiet: (await fileIdentity(paths)) === mark.files, version };
}
