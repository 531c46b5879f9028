// Reuses a triple's last hash while its files keep their identity (lstat: device, inode, mode, size,
// mtime, ctime) and their last change (ctime) is SETTLE_MS old, so a probe of unchanged files costs three
// lstat calls instead of reading and hashing up to 3 × 64 MiB; files changed more recently are reused for
// UNSETTLED_REUSE_MS only. Holds one result, never bytes.
import type { InputPaths } from "../sources/read-inputs.js";
import { identifyFiles } from "./file-identity.js";
import type { ReadTriple, TripleHash } from "./hash-triple.js";

/**
 * A file changed less than this long before a read may change again within the same timestamp tick
 * (coarse kernel clocks, 1 s or 2 s on some filesystems) without a new identity: its result is not reused.
 */
export const SETTLE_MS = 2000;

/**
 * How long the result of files not settled yet is reused for the same identity: probes back to back (an
 * open /healthz asked in a loop) read and hashed the whole triple every time for the 2 s after each change,
 * on the loop that applies it (3 × 64 MiB, 147 ms a read; found by a review). A change in that time with no
 * new identity shows at the next read, at most this late.
 */
export const UNSETTLED_REUSE_MS = 500;

// One triple's memo; `clock` is the wall clock compared with the files' timestamps.
export class TripleMemo {
  private last: { key: string; result: TripleHash; until: number } | null = null;

  constructor(
    private readonly readTriple: ReadTriple,
    private readonly clock: () => number = Date.now,
  ) {}

  // The triple's hash: the last one when the files are unchanged and settled, else read again.
  async read(paths: InputPaths): Promise<TripleHash> {
    const startedAt = this.clock();
    const identity = await identifyFiles([paths.base, paths.backends, paths.map]);
    if (this.last !== null && this.last.key === identity.key && startedAt < this.last.until)
      return this.last.result;
    const result = await this.readTriple(paths);
    // Read after the lstat: a change in between is read now and gives the next probe a new identity.
    // By ctime, which the kernel sets: an mtime set ahead on the volume cannot keep the result unused.
    const settled = identity.newestMs < startedAt - SETTLE_MS;
    const until = settled ? Number.POSITIVE_INFINITY : startedAt + UNSETTLED_REUSE_MS;
    this.last = { key: identity.key, result, until };
    return result;
  }
}
