// How deep and how wide a JSON text is, checked before JSON.parse builds a whole answer (a list's entries
// are bounded in size instead, json-array-entries.ts). An answer nested millions deep, `[[[[…]]]]`, is
// valid JSON that V8 parses into 28 times its size (an 8 MB body: 227 MB of heap and 5 s of blocked loop;
// 16 MB in a 256 MB heap: a fatal out-of-memory error no code can catch). A wide one does the same: a
// 64 MiB `[{},{},…]` as `/version` or as the aliases took 1.44 GB of heap and 33 s, and killed a
// generator with a 512 MB heap (found by a review, 2026-12-03). Nothing Rancher sends nests more than a
// few levels, and the answers parsed whole (version, aliases, the service's metadata) hold far fewer values.

import { QUOTE, BACKSLASH, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT, COMMA } from "./json-bytes.js";

// The deepest nesting accepted in an answer parsed whole.
export const MAX_JSON_DEPTH = 512;

// The most values (counted as the arrays and objects opened plus the commas, outside strings) accepted in
// an answer parsed whole: ≈ 50–100 MB of heap at worst; 1 000 certificates or 100 000 aliases are far below.
export const MAX_JSON_VALUES = 1_000_000;

// Why `text` (JSON or not) is refused before a whole parse: "deep", more than `maxDepth` arrays or
// objects open at once; "wide", more than `maxValues` values; null when neither.
export function jsonShapeProblem(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
  maxValues = MAX_JSON_VALUES,
): "deep" | "wide" | null {
  if (text.length <= maxDepth && text.length <= maxValues) return null; // each takes a character
  let depth = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return "deep";
      if (++values > maxValues) return "wide";
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
    else if (c === COMMA && ++values > maxValues) return "wide";
  }
  return null;
}

// True when `text` opens more than `maxDepth` arrays or objects at once, outside strings.
export function nestsDeeperThan(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  return jsonShapeProblem(text, maxDepth, Number.POSITIVE_INFINITY) === "deep";
}
