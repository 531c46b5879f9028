// A decoded answer kept as the pieces it was decoded in (never joined when read as entries): its length
// and its first characters, for error messages.

// The number of characters of the pieces' text.
export function lengthOf(pieces: readonly string[]): number {
  return pieces.reduce((sum, piece) => sum + piece.length, 0);
}

// The first `length` characters of the pieces' text.
export function headOf(pieces: readonly string[], length: number): string {
  let text = "";
  for (const piece of pieces) if (text.length < length) text += piece.slice(0, length - text.length);
  return text;
}
