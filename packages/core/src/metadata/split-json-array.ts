// Where the entries of a JSON array are in its UTF-8 bytes, found without parsing them: a large
// /containers answer can then be decoded and parsed one entry at a time, each entry's text and objects
// dying young, instead of as one tree of 10 000 containers that the garbage collector copies and marks
// while the model walks it. The bytes come as the chunks they arrived in and are never joined or decoded
// whole (at 10 000 containers a 13 MB string less: decoding it alone cost ≈ 55 ms). Scanning bytes is
// exact for UTF-8: every byte of a multi-byte character is 0x80 or above, never a quote, backslash,
// comma or bracket. This is the exact way, a byte at a time in JS; findCompactEntries is the fast,
// tentative one for the compact lists rancher-metadata writes.
import {
  arrayFrame,
  emptySlices,
  isSpace,
  offsetOf,
  pushEnd as push,
  type JsonArraySlices,
} from "./json-array-slices.js";

import { QUOTE, BACKSLASH, COMMA, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT } from "./json-bytes.js";

export type { JsonArraySlices } from "./json-array-slices.js";

const EMPTY = new Uint8Array(0);

// The entries of the bytes (the pieces in order) when they have the form `[` e1 `,` … `,` en `]` (JSON
// whitespace around it), cut at the commas outside strings and nested brackets; null when they have not
// that form. Each entry still has to parse on its own: when every entry does, the whole text is that JSON
// array and parsing it whole would give exactly those entries (the grammar is unambiguous); when one does
// not, the whole text is not JSON.
export function splitJsonArray(pieces: readonly Uint8Array[]): JsonArraySlices | null {
  const frame = arrayFrame(pieces);
  if (frame === null) return null;
  const { open, close, pieceStarts } = frame;
  const slices = emptySlices(frame);
  const scan: Scan = {
    depth: 0,
    inString: false,
    escaped: false,
    blank: true,
    malformed: false,
    full: false,
  };
  for (let index = open.piece; index <= close.piece && !scan.malformed && !scan.full; index++) {
    const piece = pieces[index] ?? EMPTY;
    const end = index === close.piece ? close.at : piece.length;
    const from = index === open.piece ? open.at + 1 : 0;
    scanPiece(piece, from, end, pieceStarts[index] ?? 0, scan, slices);
  }
  // More entries than accepted: the rest is not scanned (JsonArrayEntries reports the answer too large).
  if (scan.full && !scan.malformed) return slices;
  if (scan.malformed || scan.inString || scan.depth !== 0) return null;
  // `[ ]`: no entry at all (a lone blank entry is not one: `[ , ]` has two, which do not parse).
  if (slices.count === 0 && scan.blank) return slices;
  push(slices, offsetOf(frame, close));
  return slices;
}

// What the scan carries from one piece to the next.
interface Scan {
  /** brackets open inside the array */
  depth: number;
  inString: boolean;
  /** inside a string: the last byte looked at was a backslash that escapes the next one */
  escaped: boolean;
  /** only JSON whitespace seen so far */
  blank: boolean;
  /** a bracket closed that was not open */
  malformed: boolean;
  /** the slices hold their limit of ends */
  full: boolean;
}

// Scans piece[from, end) (it starts at `base` in the whole), ending an entry at each comma outside
// strings and nested brackets. Strings are skipped by a tight loop that stops only at a quote or a
// backslash.
function scanPiece(
  piece: Uint8Array,
  from: number,
  end: number,
  base: number,
  scan: Scan,
  slices: JsonArraySlices,
): void {
  let { depth, inString, escaped, blank } = scan;
  let at = from;
  while (at < end) {
    if (inString) {
      if (escaped) {
        escaped = false;
        at++;
      }
      let code = 0;
      while (at < end && (code = piece[at] ?? QUOTE) !== QUOTE && code !== BACKSLASH) at++;
      if (at === end) break;
      if (code === BACKSLASH) escaped = true;
      else inString = false;
      at++;
      continue;
    }
    const code = piece[at] ?? 0;
    if (code === QUOTE) {
      inString = true;
      blank = false;
    } else if (code === COMMA) {
      blank = false;
      if (depth === 0 && !push(slices, base + at)) {
        scan.full = true;
        return;
      }
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth++;
      blank = false;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      if (depth === 0) {
        scan.malformed = true;
        return;
      }
      depth--;
      blank = false;
    } else if (blank && !isSpace(code)) blank = false;
    at++;
  }
  scan.depth = depth;
  scan.inString = inString;
  scan.escaped = escaped;
  scan.blank = blank;
}
