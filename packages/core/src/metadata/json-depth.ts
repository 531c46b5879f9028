// How deep a JSON text nests, checked before JSON.parse builds a whole answer (a list's entries are
// bounded in size instead, json-array-entries.ts): an answer nested millions deep, `[[[[…]]]]`, is valid
// JSON that V8 parses into 28 times its size (an 8 MB body: 227 MB of heap and 5 s of blocked loop;
// 16 MB in a 256 MB heap: a fatal out-of-memory error no code can catch). Nothing Rancher sends nests
// more than a few levels.

import { QUOTE, BACKSLASH, OPEN_ARRAY, CLOSE_ARRAY, OPEN_OBJECT, CLOSE_OBJECT } from "./json-bytes.js";

// The deepest nesting accepted in an answer parsed whole.
export const MAX_JSON_DEPTH = 512;

// True when `text` (JSON or not) opens more than `maxDepth` arrays or objects at once, outside strings.
export function nestsDeeperThan(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  if (text.length <= maxDepth) return false; // each level takes a character
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}
