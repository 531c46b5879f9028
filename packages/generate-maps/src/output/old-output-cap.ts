// How much of an old output a cycle reads. The old bytes are compared, scanned for the write order and
// diffed, each in time and memory that grow with their size; the shared volume is untrusted, and under
// core's 64 MiB cap an old map of short lines blocked the loop for seconds (8 MiB: a 6 s cycle) or ran
// it out of heap (63 MiB of empty lines). Tied to the new content, a cycle's work on the old file stays a
// small multiple of what it writes anyway.
import { Buffer } from "node:buffer";

// The slack over twice the new size, so small files (an empty map, a few stacks) may still shrink a lot.
export const OLD_OUTPUT_SLACK_BYTES = 1024 * 1024;

// The most bytes of the old file read before writing `next`: twice its size plus 1 MiB. A file the
// generator wrote is over it only when one write drops more than half of a file already over 1 MiB
// (≈ 12 000 server lines, ≈ 25 000 map lines); like a hostile one, it is then replaced unread.
export function oldOutputCap(next: string): number {
  return 2 * Buffer.byteLength(next) + OLD_OUTPUT_SLACK_BYTES;
}
