// Reads an open file to its end but never past a cap, whatever fstat said before: a file of an untrusted
// volume may grow (or be truncated and grown sparse) between the fstat that checked its size and the
// read. FileHandle.readFile() sizes its read by a fstat of its own, so it would read what the file holds
// by then (up to 2 GiB).
import type { FileHandle } from "node:fs/promises";

// The file's bytes from offset 0, or null when it holds more than `maxBytes` by the time it is read.
// `expected` is fstat's size: one buffer of expected + 1 bytes (so an unchanged file is one read plus the
// empty one, with no zero-filling and no copy), doubled up to maxBytes + 1 if the file grew.
export async function readBounded(
  handle: FileHandle,
  expected: number,
  maxBytes: number,
): Promise<Buffer | null> {
  let buffer = Buffer.allocUnsafe(Math.min(expected, maxBytes) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
    if (length > maxBytes) return null;
  }
  return buffer.subarray(0, length);
}
