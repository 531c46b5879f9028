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

// Levenshtein distance of `a` and `b` (an adjacent swap counts 2), or `limit + 1` once it exceeds `limit`.
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let lowest = i;
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min(substitute, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1);
      current.push(value);
      lowest = Math.min(lowest, value);
    }
    if (lowest > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}
