// Where the entries of a JSON array text are, found without parsing them: a large /containers answer can
// then be parsed one entry at a time, each entry's objects dying young, instead of as one tree of
// 10 000 containers that the garbage collector copies and marks while the model walks it.

// The entries of an array text: entry i is text.slice(starts[i], ends[i]) (surrounding whitespace included).
export interface JsonArraySlices {
  starts: number[];
  ends: number[];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

// The entries of `text` when it has the form `[` e1 `,` … `,` en `]` (JSON whitespace around it), cut at
// the commas outside strings and nested brackets; null when it has not that form. Each entry still has to
// parse on its own: when every entry does, the whole text is that JSON array and parsing it whole would
// give exactly those entries (the grammar is unambiguous); when one does not, the whole text is not JSON.
export function splitJsonArray(text: string): JsonArraySlices | null {
  const end = lastNonSpace(text);
  let at = firstNonSpace(text);
  if (at >= end || text.charCodeAt(at) !== OPEN_ARRAY || text.charCodeAt(end - 1) !== CLOSE_ARRAY)
    return null;
  const slices: JsonArraySlices = { starts: [], ends: [] };
  const last = end - 1;
  let start = at + 1;
  let depth = 0;
  for (at = start; at < last; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = closingQuote(text, at + 1);
      if (at === -1 || at >= last) return null;
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) depth++;
    else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      if (--depth < 0) return null;
    } else if (code === COMMA && depth === 0) {
      slices.starts.push(start);
      slices.ends.push(at);
      start = at + 1;
    }
  }
  if (depth !== 0) return null;
  // `[ ]`: no entry at all (a lone blank entry is not one: `[ , ]` has two, which do not parse).
  if (slices.starts.length === 0 && firstNonSpace(text, start) >= last) return slices;
  slices.starts.push(start);
  slices.ends.push(last);
  return slices;
}

// The index of the quote that closes a string whose first character is at `from` (-1: none).
function closingQuote(text: string, from: number): number {
  for (let at = from; ; at++) {
    at = text.indexOf('"', at);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

// JSON's own whitespace: space, tab, line feed, carriage return (not every control character).
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function firstNonSpace(text: string, from = 0): number {
  let at = from;
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

// One past the last character that is not whitespace (0: none).
function lastNonSpace(text: string): number {
  let end = text.length;
  while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
  return end;
}
