// A JSON array answer parsed one entry at a time, when asked for it: what the generator's model walks
// instead of one parsed tree (see splitJsonArray). Whether the whole answer was JSON is known once every
// entry has been parsed: `failure()` says, with the error a whole parse would have thrown.
import { countBelow } from "../sorted/count-below.js";
import { MetadataError } from "./metadata-error.js";
import type { JsonArraySlices } from "./split-json-array.js";
import { headOf, lengthOf } from "./text-pieces.js";

// The entries of one answer; `at` parses the entry anew on each call (nothing parsed is kept here).
export class JsonArrayEntries {
  readonly length: number;
  /** the entries before this one all parsed (read in order, as the model does) */
  private checked = 0;
  /** an entry did not parse */
  private broken = false;
  /** the piece the last entry read started in */
  private cursor = 0;

  constructor(
    private readonly pieces: readonly string[],
    private readonly slices: JsonArraySlices,
    private readonly url: string,
  ) {
    this.length = slices.count;
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

  // Entry `index`'s text: a slice of its piece, or the parts of the pieces it spans.
  private text(index: number): string {
    const { first, ends } = this.slices;
    const from = index === 0 ? first : (ends[index - 1] ?? 0) + 1;
    const to = ends[index] ?? from;
    // Entries are read in order: the piece of the last one, or the next, usually holds this one.
    let piece = this.cursor;
    if (!(this.startOf(piece) <= from && from < this.endOf(piece))) piece = this.pieceAt(from);
    this.cursor = piece;
    const start = this.startOf(piece);
    const text = this.pieces[piece] ?? "";
    if (to <= this.endOf(piece)) return text.slice(from - start, to - start);
    let joined = text.slice(from - start);
    let next = piece + 1;
    for (; next < this.pieces.length && this.endOf(next) < to; next++) joined += this.pieces[next] ?? "";
    return joined + (this.pieces[next] ?? "").slice(0, to - this.startOf(next));
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

// The error for an answer that is not JSON (its pieces in order), with its size and first characters.
export function notJson(url: string, pieces: readonly string[]): MetadataError {
  const length = lengthOf(pieces);
  const preview = length === 0 ? "empty body" : `${headOf(pieces, 80).trim()}…`;
  return new MetadataError("invalid-json", url, `answer is not JSON (${length} bytes: ${preview})`);
}
