// The words of one line of an HAProxy config as the reloader's light readers of a base config see them
// (hard-stop-after.ts, prepare-base-config.ts' namesFile): the text before a `#`, split on whitespace,
// each word without the one pair of quotes around it, if any. Not HAProxy's full word parser (quoted
// spaces and escapes: find-offending-lines.ts' WORD); enough for keywords and paths. Pure.

// The words of `line` before its comment, unquoted.
export function configWords(line: string): string[] {
  return (line.split("#")[0] ?? "").trim().split(/\s+/).map(unquote);
}

// A word without the one pair of quotes around it, if any (HAProxy reads `"30s"` as 30s).
function unquote(word: string): string {
  const quoted = word.length >= 2 && (word[0] === '"' || word[0] === "'") && word.endsWith(word[0]);
  return quoted ? word.slice(1, -1) : word;
}
