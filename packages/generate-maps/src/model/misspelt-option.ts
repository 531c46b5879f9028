// A label `<label>.<name>` whose name is no routing option but close to one is taken for a misspelling
// (`HTTPS`, `strip_path`, `host`, `htps`), not ignored: ignored, a misspelt `https=only` served the
// stack over plain HTTP with no word anywhere (found by a review). Names far from every option stay
// ignored: another proxy's RANCHER_LABEL may share the prefix (`map-public-http.internal`). Pure.
import { LABEL_OPTIONS } from "@rancher-haproxy/core";

const OPTION_NAMES = Object.keys(LABEL_OPTIONS);

/** the longest name looked at: longer ones are no misspelling of an option (the longest has 14 letters) */
const MAX_NAME_LENGTH = 32;

// The option `name` (after `<label>.`) most likely means, or undefined for an option itself, a dotted
// name (another label's) or one far from every option: the same letters in another case or with `_` for
// `-`, or at most one letter off (two for names of 7 letters or more: `timeout-sever`).
export function misspeltOption(name: string): string | undefined {
  return misspeltName(name, OPTION_NAMES);
}

// The name of `names` that `name` most likely means by the same rules, or undefined for one of them
// itself (the TCP label's one option, `proxy-protocol`, is looked for this way too).
export function misspeltName(name: string, names: readonly string[]): string | undefined {
  if (name.length > MAX_NAME_LENGTH || name.includes(".") || names.includes(name)) return undefined;
  const normal = name.toLowerCase().replaceAll("_", "-");
  let best: { option: string; distance: number } | undefined;
  for (const option of names) {
    const allowed = option.length >= 7 ? 2 : 1;
    const distance = editDistance(normal, option, allowed);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

// The two rows editDistance fills, kept between calls (no allocation per label looked at); only it uses them.
let rowA = new Uint32Array(MAX_NAME_LENGTH + 1);
let rowB = new Uint32Array(MAX_NAME_LENGTH + 1);

// Levenshtein distance of `a` and `b` (an adjacent swap counts 2), or `limit + 1` once it exceeds `limit`.
// The common prefix and suffix are left out first (they change no distance), so a near miss fills a table
// of the few letters that differ, not of the whole name: a 1 MiB entry holds ≈ 28 000 labels two letters
// off `timeout-server`, whose 14 × 14 tables cost ≈ 0.1 s per entry (≈ 0.03 s now; docs/security.md).
function editDistance(a: string, b: string, limit: number): number {
  // longer or shorter by more than `limit` letters is no near miss: no table to fill
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let start = 0;
  while (start < a.length && start < b.length && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const height = endA - start;
  const columns = endB - start;
  // one side used up: the other's letters are insertions, no more than the lengths differ by (≤ limit)
  if (height === 0 || columns === 0) return height + columns;
  // two rows of the table, reused from call to call when long enough (the names are short)
  if (rowA.length <= columns) [rowA, rowB] = [new Uint32Array(columns + 1), new Uint32Array(columns + 1)];
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= columns; j++) previous[j] = j;
  for (let i = 1; i <= height; i++) {
    current[0] = i;
    let lowest = i;
    const letter = a.charCodeAt(start + i - 1);
    for (let j = 1; j <= columns; j++) {
      const substitute = previous[j - 1]! + (letter === b.charCodeAt(start + j - 1) ? 0 : 1);
      const value = Math.min(substitute, previous[j]! + 1, current[j - 1]! + 1);
      current[j] = value;
      if (value < lowest) lowest = value;
    }
    if (lowest > limit) return limit + 1;
    const done = previous;
    previous = current;
    current = done;
  }
  return previous[columns]!;
}
