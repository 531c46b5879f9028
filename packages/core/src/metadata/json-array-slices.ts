// Where the entries of a JSON array are in its UTF-8 bytes (the pieces they arrived in, in order), as
// found by splitJsonArray (exact) or findCompactEntries (tentative), and the array's brackets.
import { CLOSE_ARRAY, OPEN_ARRAY } from "./json-bytes.js";

// The most entries an answer may have. The byte cap alone did not bound memory: every entry the model
// keeps (a skip record, an unlabelled container's name) costs ≈ 40–180 bytes, and `[0,0,…]` or `[{},{},…]`
// packs 20–30 million entries under 64 MiB. 250 000 is 5 × the largest environment the bench measures.
// The splitters stop one entry past it (the answer is then refused as too large): before, they recorded
// every boundary of a 64 MiB `[0,0,…]` first (134 MB more memory, 1.4 s of blocked loop).
export const MAX_ARRAY_ENTRIES = 250_000;

// Where the entries are, as byte offsets in the bytes the pieces make together: entry i runs from `first`
// (i = 0) or just after the comma at ends[i - 1], to ends[i] (exclusive), surrounding whitespace included.
// Four bytes per entry: `[0,0,…]` at the 2 GiB answer cap is no bigger than its parsed array.
export interface JsonArraySlices {
  /** the offset in the bytes at which each piece starts */
  pieceStarts: number[];
  first: number;
  /** the first `count` are used */
  ends: Uint32Array;
  count: number;
  /** the most ends recorded (one past the entries accepted): the scan stops there */
  limit: number;
}

// A position in the pieces.
export interface Position {
  piece: number;
  at: number;
}

// The bytes' first and last bytes that are not JSON whitespace, when they are `[` and `]` (two bytes),
// and where each piece starts.
export interface ArrayFrame {
  open: Position;
  close: Position;
  pieceStarts: number[];
}

const EMPTY = new Uint8Array(0);

// The brackets of the bytes when they have the form `[` … `]` (JSON whitespace around it), else null.
export function arrayFrame(pieces: readonly Uint8Array[]): ArrayFrame | null {
  const open = firstNonSpace(pieces);
  const close = lastNonSpace(pieces);
  if (open === null || close === null || (open.piece === close.piece && open.at >= close.at)) return null;
  if (byteAt(pieces, open) !== OPEN_ARRAY || byteAt(pieces, close) !== CLOSE_ARRAY) return null;
  const pieceStarts: number[] = [];
  for (let index = 0, offset = 0; index < pieces.length; offset += (pieces[index] ?? EMPTY).length, index++)
    pieceStarts.push(offset);
  return { open, close, pieceStarts };
}

// The offset of a position in the whole.
export function offsetOf(frame: ArrayFrame, position: Position): number {
  return (frame.pieceStarts[position.piece] ?? 0) + position.at;
}

// No entry yet: the first starts just after the `[`; at most `maxEntries + 1` ends are recorded.
export function emptySlices(frame: ArrayFrame, maxEntries = MAX_ARRAY_ENTRIES): JsonArraySlices {
  return {
    pieceStarts: frame.pieceStarts,
    first: offsetOf(frame, frame.open) + 1,
    ends: new Uint32Array(64),
    count: 0,
    limit: maxEntries + 1,
  };
}

// Ends one more entry at `end`, growing `ends` by doubling; false once `limit` ends are recorded (this
// one included): the scan stops, the answer has more entries than it may.
export function pushEnd(slices: JsonArraySlices, end: number): boolean {
  if (slices.count >= slices.limit) return false;
  if (slices.count === slices.ends.length) {
    const grown = new Uint32Array(slices.ends.length * 2);
    grown.set(slices.ends);
    slices.ends = grown;
  }
  slices.ends[slices.count++] = end;
  return slices.count < slices.limit;
}

function byteAt(pieces: readonly Uint8Array[], position: Position): number {
  return pieces[position.piece]?.[position.at] ?? 0;
}

// JSON's own whitespace: space, tab, line feed, carriage return (not every control character).
export function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function firstNonSpace(pieces: readonly Uint8Array[]): Position | null {
  for (let piece = 0; piece < pieces.length; piece++) {
    const bytes = pieces[piece] ?? EMPTY;
    for (let at = 0; at < bytes.length; at++) if (!isSpace(bytes[at] ?? 0)) return { piece, at };
  }
  return null;
}

function lastNonSpace(pieces: readonly Uint8Array[]): Position | null {
  for (let piece = pieces.length - 1; piece >= 0; piece--) {
    const bytes = pieces[piece] ?? EMPTY;
    for (let at = bytes.length - 1; at >= 0; at--) if (!isSpace(bytes[at] ?? 0)) return { piece, at };
  }
  return null;
}
