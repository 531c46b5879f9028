import { bufferView } from "../bytes/buffer-view.js";

// Thrown by readCapped once an answer passes its cap (the client turns it into a MetadataError).
export class AnswerTooLarge extends Error {}

// The body's bytes in the chunks they arrived in (decoded later, and an answer read as entries one entry
// at a time: see JsonArrayEntries); throws AnswerTooLarge as soon as it passes `maxBytes`.
export async function readCapped(
  body: AsyncIterable<Uint8Array | string> | null,
  maxBytes: number,
  progressed: () => void,
): Promise<Buffer[]> {
  if (body === null) return [];
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : bufferView(chunk);
    length += buffer.length;
    if (length > maxBytes) throw new AnswerTooLarge();
    chunks.push(buffer);
    progressed();
  }
  return chunks;
}
