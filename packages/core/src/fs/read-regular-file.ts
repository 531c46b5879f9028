// Reads a file of the shared volume only when it is what it should be: a regular file, not a symlink
// (O_NOFOLLOW), a FIFO, a device or a directory, and not larger than a cap. Anything else is reported as
// refused with the reason, so the caller can treat it as absent and replace it, instead of following a
// symlink to a secret, blocking on a FIFO or reading /dev/zero for ever.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { readBounded } from "./read-bounded.js";

// The most a generated file may hold before it is treated as not ours (the outputs are a few MB at most).
export const MAX_REGULAR_FILE_BYTES = 64 * 1024 * 1024;

// What is at the path: a regular file's text, nothing, or something refused and why.
export type RegularFileRead =
  { kind: "file"; content: string } | { kind: "absent" } | { kind: "refused"; reason: string };

// Opens without following symlinks and without blocking (a FIFO), checks fstat, reads at most `maxBytes`.
// Never throws for what the path holds; only an unexpected I/O error (EIO, EACCES on a regular file) is thrown.
export async function readRegularFile(
  path: string,
  maxBytes = MAX_REGULAR_FILE_BYTES,
): Promise<RegularFileRead> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a directory on the way is a file, so nothing can be at the path.
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "absent" };
    if (code === "ELOOP") return { kind: "refused", reason: "it is a symbolic link" };
    if (code === "ENXIO") return { kind: "refused", reason: "it is a FIFO or socket" };
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { kind: "refused", reason: `it is ${describeType(stat)}, not a regular file` };
    if (stat.size > maxBytes)
      return { kind: "refused", reason: `it holds ${stat.size} bytes, more than the ${maxBytes}-byte cap` };
    const bytes = await readBounded(handle, stat.size, maxBytes);
    if (bytes === null)
      return { kind: "refused", reason: `it grew past the ${maxBytes}-byte cap while being read` };
    return { kind: "file", content: bytes.toString("utf8") };
  } finally {
    await handle.close();
  }
}

function describeType(stat: import("node:fs").Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  return "not a regular file";
}
