// A metadata answer's body kept as the bytes it arrived in: read as entries it is never joined or decoded
// whole (each entry is decoded on its own, see JsonArrayEntries); its size and first characters for
// error messages, and the whole text for an answer read as one value.
import { Buffer } from "node:buffer";
import { bufferView } from "../bytes/buffer-view.js";

// The body's chunks, in order.
export type BodyBytes = readonly Uint8Array[];

// The number of bytes of the body.
export function byteLengthOf(pieces: BodyBytes): number {
  return pieces.reduce((sum, piece) => sum + piece.length, 0);
}

// The body as UTF-8 text (invalid bytes become U+FFFD, a BOM is kept: JSON.parse refuses it, as before).
export function decodeBody(pieces: BodyBytes): string {
  const [only] = pieces;
  if (pieces.length === 1 && only) return bufferView(only).toString("utf8");
  return Buffer.concat(pieces).toString("utf8");
}

// The first `length` characters (UTF-16 code units) of the body's text, decoding only the bytes they
// can take (3 per code unit at most, and a character cut at the end is dropped with the extra units), one
// fewer where the last would be the first half of a surrogate pair (an emoji): the lone half went into an
// error's message, and /healthz's JSON wrote it as `\ud83d`, which strict JSON readers refuse.
export function headOf(pieces: BodyBytes, length: number): string {
  const wanted = length * 3 + 4;
  const head: Uint8Array[] = [];
  let taken = 0;
  for (const piece of pieces) {
    if (taken >= wanted) break;
    const part = piece.subarray(0, wanted - taken);
    head.push(part);
    taken += part.length;
  }
  const text = decodeBody(head);
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}
