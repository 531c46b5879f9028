// A JSON array answer decoded and parsed one entry at a time, as it is walked: what the generator's model
// iterates instead of one parsed tree (cut by findCompactEntries or splitJsonArray). Whether the whole
// answer was JSON is known once every entry has been parsed: `failure()` says, with the error a whole
// parse would have thrown, or that the answer has more entries than its cap.
import { Buffer, isAscii } from "node:buffer";
import { countBelow } from "../sorted/count-below.js";
import { bufferView } from "../bytes/buffer-view.js";
import { byteLengthOf, headOf, type BodyBytes } from "./body-bytes.js";
import { MetadataError } from "./metadata-error.js";
import { MAX_ARRAY_ENTRIES } from "./json-array-slices.js";
import { splitJsonArray, type JsonArraySlices } from "./split-json-array.js";

// How the entries' boundaries were found: "exact" (splitJsonArray), or "tentative" (findCompactEntries:
// trusted while each entry, read in order, parses; replaced by the exact ones at the first that does not).
export type EntryBoundaries = "exact" | "tentative";

// Returned by parse() when the boundaries were just replaced: read the same entry again.
const AGAIN = Symbol("again");

export { MAX_ARRAY_ENTRIES };

// The most bytes one entry may have: a container is a few KB. JSON.parse builds tiny arrays and objects
// into ≈ 28 times their text (a 16 MB entry of `[[[…]]]` exhausted a 256 MB heap: a fatal error no code
// can catch), so a larger entry is not parsed: it is given as an OversizedEntry, which the model skips
// with its reason, and the other entries are read as usual.
export const MAX_ENTRY_BYTES = 1024 * 1024;

// An entry over MAX_ENTRY_BYTES, in place of its value: not read, not known to be JSON.
export class OversizedEntry {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {}
}

// The entries of one answer, parsed anew on each pass (nothing parsed is kept here).
export class JsonArrayEntries implements Iterable<unknown> {
  /** the entries before this one all parsed (read in order, as the model does) */
  private checked = 0;
  /** an entry did not parse */
  private broken = false;
  /** a pass reached entry `maxEntries` and there were more */
  private tooMany = false;
  /** the piece the last entry read started in */
  private cursor = 0;
  private readonly pieces: readonly Buffer[];
  /** "latin1" when every byte is ASCII: the same text as UTF-8, decoded several times faster */
  private readonly encoding: "latin1" | "utf8";

  constructor(
    pieces: BodyBytes,
    private slices: JsonArraySlices,
    private readonly url: string,
    private boundaries: EntryBoundaries,
    private readonly maxEntries = MAX_ARRAY_ENTRIES,
    private readonly maxEntryBytes = MAX_ENTRY_BYTES,
  ) {
    this.pieces = pieces.map(bufferView);
    this.encoding = this.pieces.every((piece) => isAscii(piece)) ? "latin1" : "utf8";
  }

  // The entries in order, each parsed as it is reached; undefined for one that is not JSON (then
  // failure() is not null). It stops after `maxEntries` entries when there are more (failure() says so).
  *[Symbol.iterator](): Generator<unknown, void, undefined> {
    // `slices` may be replaced on the way; the entries already read stay where they were.
    for (let index = 0; index < this.slices.count;) {
      if (index >= this.maxEntries) {
        this.tooMany = true;
        return;
      }
      const entry = this.parse(index);
      if (entry === AGAIN) continue;
      index++;
      yield entry;
    }
  }

  // The error of an answer that is not JSON (an entry that does not parse), or null when every entry
  // parses; the entries not yet read in order are parsed here first.
  failure(): MetadataError | null {
    // Each step either moves `checked` on, replaces the boundaries once, or marks the answer broken.
    while (!this.broken && !this.tooMany && this.checked < this.slices.count)
      if (this.checked >= this.maxEntries) this.tooMany = true;
      else this.parse(this.checked);
    if (this.broken) return notJson(this.url, this.pieces);
    if (this.tooMany)
      return new MetadataError("too-large", this.url, `answer has more than ${this.maxEntries} entries`);
    return null;
  }

  // Entry `index` parsed; undefined when it is not JSON; an OversizedEntry when it is too large to parse.
  // With tentative boundaries an entry that does not parse, or seems too large, may only have been cut
  // wrong: the exact boundaries replace them and AGAIN asks for it anew.
  private parse(index: number): unknown {
    const [from, to] = this.range(index);
    if (to - from > this.maxEntryBytes) {
      if (this.boundaries === "tentative") return this.exactBoundaries();
      if (index === this.checked) this.checked++;
      return new OversizedEntry(to - from, this.maxEntryBytes);
    }
    try {
      const value: unknown = JSON.parse(this.text(from, to));
      if (index === this.checked) this.checked++;
      return value;
    } catch {
      if (this.boundaries === "tentative") return this.exactBoundaries();
      this.broken = true;
      return undefined;
    }
  }

  // Replaces tentative boundaries by the exact ones (the entries read so far stay where they were).
  private exactBoundaries(): typeof AGAIN {
    this.boundaries = "exact";
    const exact = splitJsonArray(this.pieces);
    // Not an array at all: the entries read so far were its only ones.
    if (exact === null) {
      this.broken = true;
      this.slices = { ...this.slices, count: this.checked };
    } else this.slices = exact;
    return AGAIN;
  }

  // Where entry `index`'s bytes start and end in the whole text.
  private range(index: number): [from: number, to: number] {
    const { first, ends } = this.slices;
    const from = index === 0 ? first : (ends[index - 1] ?? 0) + 1;
    return [from, ends[index] ?? from];
  }

  // The text of an entry's bytes (`range`) decoded, from its piece or from the parts of the pieces it
  // spans (split at ASCII bytes, so decoding an entry alone gives the characters the whole text would have).
  private text(from: number, to: number): string {
    // Entries are read in order: the piece of the last one, or the next, usually holds this one.
    let piece = this.cursor;
    if (!(this.startOf(piece) <= from && from < this.endOf(piece))) piece = this.pieceAt(from);
    this.cursor = piece;
    const start = this.startOf(piece);
    const bytes = this.pieces[piece] ?? EMPTY;
    if (to <= this.endOf(piece)) return bytes.toString(this.encoding, from - start, to - start);
    const parts = [bytes.subarray(from - start)];
    let next = piece + 1;
    for (; next < this.pieces.length && this.endOf(next) < to; next++) parts.push(this.pieces[next] ?? EMPTY);
    parts.push((this.pieces[next] ?? EMPTY).subarray(0, to - this.startOf(next)));
    return Buffer.concat(parts).toString(this.encoding);
  }

  private startOf(piece: number): number {
    return this.slices.pieceStarts[piece] ?? 0;
  }

  // Where piece `piece` ends in the whole text (the next piece's start; past the last: no end).
  private endOf(piece: number): number {
    return this.slices.pieceStarts[piece + 1] ?? Number.POSITIVE_INFINITY;
  }

  // The last piece starting at or before `offset` (offsets are whole numbers; the first piece starts at 0).
  private pieceAt(offset: number): number {
    return Math.max(0, countBelow(this.slices.pieceStarts, offset + 1) - 1);
  }
}

const EMPTY = Buffer.alloc(0);

// The error for an answer that is not JSON (its bytes in order), with its size and first characters.
export function notJson(url: string, pieces: BodyBytes): MetadataError {
  const length = byteLengthOf(pieces);
  const preview = length === 0 ? "empty body" : `${headOf(pieces, 80).trim()}…`;
  return new MetadataError("invalid-json", url, `answer is not JSON (${length} bytes: ${preview})`);
}
