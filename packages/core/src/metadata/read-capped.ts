import { bufferView } from "../bytes/buffer-view.js";

// Thrown by readCapped once an answer passes its cap (the client turns it into a MetadataError); `head`
// holds the bytes read, the piece that passed the cap included, for an error page's first characters.
export class AnswerTooLarge extends Error {
  constructor(readonly head: readonly Buffer[]) {
    super("answer too large");
  }
}

// A chunk smaller than this is copied into a block of BLOCK_BYTES with its neighbours instead of kept as
// it came: each kept chunk costs ≈ 150 bytes of heap whatever its size, so a body trickled as 1-byte
// chunks (a chunked answer may frame every byte alone) held ≈ 35 bytes of memory per byte it had (a
// review measured 189 MB of RSS for 5.4 MB read in 10 s, 591 000 chunks), beside what the cap counts.
export const SMALL_CHUNK_BYTES = 16 * 1024;
export const BLOCK_BYTES = 64 * 1024;

// The body's bytes in the chunks they arrived in, small ones packed together (decoded later, and an answer
// read as entries one entry at a time: see JsonArrayEntries); throws AnswerTooLarge as soon as it passes
// `maxBytes`. A chunk of SMALL_CHUNK_BYTES or more is kept as it came (no copy: what a normal answer is
// made of); each byte of a smaller one is copied once, so at most two pieces are kept per
// SMALL_CHUNK_BYTES of body, plus one per BLOCK_BYTES.
export async function readCapped(
  body: AsyncIterable<Uint8Array | string> | null,
  maxBytes: number,
  progressed: () => void,
): Promise<Buffer[]> {
  if (body === null) return [];
  const chunks: Buffer[] = [];
  let length = 0;
  // The block small chunks are packed into, and how much of it is filled.
  let block = Buffer.allocUnsafeSlow(0);
  let used = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : bufferView(chunk);
    length += buffer.length;
    // With the piece that passed: a page that came in one piece over the cap (an error page over 4 KiB on
    // /version) showed none of its first characters.
    if (length > maxBytes)
      throw new AnswerTooLarge(
        used > 0 && used < block.length ? [...chunks, block.subarray(0, used), buffer] : [...chunks, buffer],
      );
    if (buffer.length >= SMALL_CHUNK_BYTES) {
      // A partial block before a large chunk is kept copied to its size (kept whole, a 64 KiB block
      // behind each small chunk between large ones held 64 KiB for it).
      if (used > 0 && used < block.length) chunks.push(Buffer.from(block.subarray(0, used)));
      block = Buffer.allocUnsafeSlow(0);
      used = 0;
      chunks.push(buffer);
    } else {
      for (let at = 0; at < buffer.length;) {
        if (used === block.length) {
          block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
          used = 0;
        }
        const copied = buffer.copy(block, used, at);
        used += copied;
        at += copied;
        if (used === block.length) chunks.push(block);
      }
    }
    progressed();
  }
  // The last block, unless it is full (kept already) or empty.
  if (used > 0 && used < block.length) chunks.push(block.subarray(0, used));
  return chunks;
}
