// Joins many rendered pieces into one file's bytes without copying them all one by one each time: the
// pieces are grouped in pages of PAGE_SIZE, and a page whose pieces are the very objects of the last
// join keeps its bytes. The result, a list of buffers written one after the other (writev), always
// holds the bytes of prefix + texts.join(separator) + suffix.

/** pieces per page: the unit that is re-encoded when one of its pieces changes */
export const PAGE_SIZE = 128;

// A piece: any object whose identity stands for its text (a cache entry of the caller).
export interface Piece {
  readonly text: string;
}

// Remembers the pages of its last join only.
export class PageJoiner<T extends Piece> {
  private pages: { pieces: readonly T[]; bytes: Buffer }[] = [];

  // prefix + pieces' texts joined by `separator` + suffix, as consecutive buffers.
  join(prefix: string, pieces: readonly T[], separator: string, suffix: string): Buffer[] {
    const pages: { pieces: readonly T[]; bytes: Buffer }[] = [];
    const sep = Buffer.from(separator);
    const parts: Buffer[] = [Buffer.from(prefix)];
    for (let start = 0, index = 0; start < pieces.length; start += PAGE_SIZE, index++) {
      const own = pieces.slice(start, start + PAGE_SIZE);
      const last = this.pages[index];
      const page =
        last !== undefined && samePieces(last.pieces, own)
          ? last
          : { pieces: own, bytes: Buffer.from(own.map((piece) => piece.text).join(separator)) };
      pages.push(page);
      if (index > 0) parts.push(sep);
      parts.push(page.bytes);
    }
    parts.push(Buffer.from(suffix));
    this.pages = pages;
    return parts;
  }
}

function samePieces<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}
