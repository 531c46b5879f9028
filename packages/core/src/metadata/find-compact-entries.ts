// The entries of a compact list of objects (`[{…},{…}]`, the way rancher-metadata writes /containers),
// found by a native search for `},{` instead of splitJsonArray's byte-at-a-time scan in JS (at 10 000
// containers ≈ 3–10 ms against ≈ 45–70 ms). The boundaries are tentative: `},{` may also sit inside a string
// or a nested list. JsonArrayEntries trusts them only while each entry, read in order, parses. That is
// sound: an entry that parses ends with `}`, and an object ends where its own bytes say, so the whole
// array's parse ends that entry at the same byte; entries that all parse are the array's own (the
// grammar is unambiguous). At the first entry that does not parse it takes splitJsonArray's exact
// boundaries, which agree on every entry read before.
import { Buffer } from "node:buffer";
import { bufferView } from "../bytes/buffer-view.js";
import { arrayFrame, emptySlices, offsetOf, pushEnd, type JsonArraySlices } from "./json-array-slices.js";

const SEPARATOR = Buffer.from("},{");
const EMPTY = new Uint8Array(0);

// Tentative entries of the bytes (the pieces in order), cut after each `}` of a `},{` between the
// array's brackets; null when the bytes are not `[` … `]` or hold no `},{` there (then only
// splitJsonArray can tell where the entries are).
export function findCompactEntries(pieces: readonly Uint8Array[]): JsonArraySlices | null {
  const frame = arrayFrame(pieces);
  if (frame === null) return null;
  const slices = emptySlices(frame);
  // A `},{` must start after the `[` and end before the `]`.
  const [lowest, highest] = [slices.first, offsetOf(frame, frame.close) - SEPARATOR.length];
  // Once the slices hold their limit, the rest is not searched (the answer has too many entries).
  let full = false;
  const ends = (start: number) => {
    if (start >= lowest && start <= highest) full = !pushEnd(slices, start + 1);
  };
  for (let index = frame.open.piece; index <= frame.close.piece && !full; index++) {
    const piece = bufferView(pieces[index] ?? EMPTY);
    const base = frame.pieceStarts[index] ?? 0;
    // Wholly inside the piece (the separator cannot overlap itself, so the search goes on after it)…
    for (
      let at = piece.indexOf(SEPARATOR);
      at !== -1 && !full;
      at = piece.indexOf(SEPARATOR, at + SEPARATOR.length)
    )
      ends(base + at);
    // …then starting in its last two bytes and running on into the next pieces.
    for (let at = Math.max(0, piece.length - SEPARATOR.length + 1); at < piece.length && !full; at++)
      if (separatorAt(pieces, index, at)) ends(base + at);
  }
  if (full) return slices;
  if (slices.count === 0) return null;
  pushEnd(slices, offsetOf(frame, frame.close));
  return slices;
}

// Whether `},{` starts at byte `at` of piece `index`, reading on into the following pieces.
function separatorAt(pieces: readonly Uint8Array[], index: number, at: number): boolean {
  let [piece, offset] = [index, at];
  for (const expected of SEPARATOR) {
    while (offset >= (pieces[piece] ?? EMPTY).length) {
      if (++piece >= pieces.length) return false;
      offset = 0;
    }
    if (pieces[piece]?.[offset] !== expected) return false;
    offset++;
  }
  return true;
}
