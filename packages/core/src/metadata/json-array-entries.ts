// A JSON array answer parsed one entry at a time, when asked for it: what the generator's model walks
// instead of one parsed tree (see splitJsonArray). Whether the whole answer was JSON is known once every
// entry has been parsed: `failure()` says, with the error a whole parse would have thrown.
import { MetadataError } from "./metadata-error.js";
import type { JsonArraySlices } from "./split-json-array.js";
import { headOf, lengthOf } from "./text-pieces.js";

// The entries of one answer; `at` parses the entry anew on each call (nothing parsed is kept here).
export class JsonArrayEntries {
  readonly length: number;
  /** 1: entry i parsed; 2: it did not */
  private readonly parsed: Uint8Array;

  constructor(
    private readonly pieces: readonly string[],
    private readonly slices: JsonArraySlices,
    private readonly url: string,
  ) {
    this.length = slices.startPiece.length;
    this.parsed = new Uint8Array(this.length);
  }

  // Entry `index` (negative: from the end, as Array.prototype.at), parsed; undefined when there is none
  // or it is not JSON (then failure() is not null).
  at(index: number): unknown {
    const at = Math.trunc(index) < 0 ? this.length + Math.trunc(index) : Math.trunc(index);
    if (!(at >= 0 && at < this.length)) return undefined;
    try {
      const value: unknown = JSON.parse(this.text(at));
      this.parsed[at] = 1;
      return value;
    } catch {
      this.parsed[at] = 2;
      return undefined;
    }
  }

  // The error of an answer that is not JSON (an entry that does not parse), or null when every entry
  // parses; entries not parsed yet are parsed here first.
  failure(): MetadataError | null {
    for (let index = 0; index < this.length; index++) if (this.parsed[index] === 0) this.at(index);
    return this.parsed.includes(2) ? notJson(this.url, this.pieces) : null;
  }

  // Entry `index`'s text: a slice of its piece, or the parts of the pieces it spans.
  private text(index: number): string {
    const { startPiece, startAt, endPiece, endAt } = this.slices;
    const [first, from, last, to] = [startPiece[index], startAt[index], endPiece[index], endAt[index]];
    if (first === undefined || from === undefined || last === undefined || to === undefined) return "";
    if (first === last) return (this.pieces[first] ?? "").slice(from, to);
    let text = (this.pieces[first] ?? "").slice(from);
    for (let piece = first + 1; piece < last; piece++) text += this.pieces[piece] ?? "";
    return text + (this.pieces[last] ?? "").slice(0, to);
  }
}

// The error for an answer that is not JSON (its pieces in order), with its size and first characters.
export function notJson(url: string, body: string | readonly string[]): MetadataError {
  const pieces = typeof body === "string" ? [body] : body;
  const length = lengthOf(pieces);
  const preview = length === 0 ? "empty body" : `${headOf(pieces, 80).trim()}…`;
  return new MetadataError("invalid-json", url, `answer is not JSON (${length} bytes: ${preview})`);
}
