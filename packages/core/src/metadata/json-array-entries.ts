// A JSON array answer decoded and parsed one entry at a time, when asked for it: what the generator's
// model walks instead of one parsed tree (see splitJsonArray). Whether the whole answer was JSON is known
// once every entry has been parsed: `failure()` says, with the error a whole parse would have thrown.
import { Buffer, isAscii } from "node:buffer";
import { countBelow } from "../sorted/count-below.js";
import { bufferView } from "../bytes/buffer-view.js";
import { byteLengthOf, headOf, type BodyBytes } from "./body-bytes.js";
import { MetadataError } from "./metadata-error.js";
import type { JsonArraySlices } from "./split-json-array.js";

// The entries of one answer; `at` parses the entry anew on each call (nothing parsed is kept here).
export class JsonArrayEntries {
  readonly length: number;
  /** the entries before this one all parsed (read in order, as the model does) */
  private checked = 0;
  /** an entry did not parse */
  private broken = false;
  /** the piece the last entry read started in */
  private cursor = 0;
  private readonly pieces: readonly Buffer[];
  /** "latin1" when every byte is ASCII: the same text as UTF-8, decoded several times faster */
  private readonly encoding: "latin1" | "utf8";

  constructor(
    pieces: BodyBytes,
    private readonly slices: JsonArraySlices,
    private readonly url: string,
  ) {
    this.length = slices.count;
    this.pieces = pieces.map(bufferView);
    this.encoding = this.pieces.every((piece) => isAscii(piece)) ? "latin1" : "utf8";
  }

  // Entry `index` (negative: from the end, as Array.prototype.at), parsed; undefined when there is none
  // or it is not JSON (then failure() is not null).
  at(index: number): unknown {
    const whole = Math.trunc(index);
    const at = whole < 0 ? this.length + whole : whole;
    if (!(at >= 0 && at < this.length)) return undefined;
    try {
      const value: unknown = JSON.parse(this.text(at));
      if (at === this.checked) this.checked++;
      return value;
    } catch {
      this.broken = true;
      return undefined;
    }
  }

  // The error of an answer that is not JSON (an entry that does not parse), or null when every entry
  // parses; the entries not yet read in order are parsed here first.
  failure(): MetadataError | null {
    // Each call either moves `checked` on or marks the answer broken.
    while (!this.broken && this.checked < this.length) this.at(this.checked);
    return this.broken ? notJson(this.url, this.pieces) : null;
  }

  // Entry `index`'s text: its bytes decoded, from its piece or from the parts of the pieces it spans
  // (split at ASCII bytes, so decoding an entry alone gives the characters the whole text would have).
  private text(index: number): string {
    const { first, ends } = this.slices;
    const from = index === 0 ? first : (ends[index - 1] ?? 0) + 1;
    const to = ends[index] ?? from;
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
