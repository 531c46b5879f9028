// Point at the config lines a failed check complains about (`parsing [file:line]`), secrets masked.

// One line HAProxy named in its check output.
export interface OffendingLine {
  file: string;
  line: number;
  text: string;
}

const REFERENCE = /\[([^\]\s]+):(\d+)\]/g;
// One HAProxy word: unquoted characters, backslash escapes and quoted parts, run together (`"a b"`,
// `'a b'`, `a\ b` are one word); an unterminated quote runs to the end of its line.
const WORD = String.raw`(?:"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?|\\.|[^\s"'\\])+`;
// A keyword that carries a plain credential, however it is spaced (`stats<TAB>auth`), and that credential.
const SECRET = new RegExp(String.raw`\b(insecure-password|stats[ \t]+auth)[ \t]+${WORD}`, "gi");

// The lines named in `output`, looked up in `contents` (file path → text), at most `limit` of them.
export function findOffendingLines(
  output: string,
  contents: ReadonlyMap<string, string>,
  limit = 20,
): OffendingLine[] {
  const found: OffendingLine[] = [];
  const seen = new Set<string>();
  // Each file split once: an output naming one line thousands of times must not split it each time.
  const lines = new Map<string, readonly string[]>();
  for (const match of output.matchAll(REFERENCE)) {
    const file = match[1] ?? "";
    const line = Number(match[2]);
    const key = `${file}:${line}`;
    if (seen.has(key)) continue;
    const text = linesOf(file, contents, lines)?.[line - 1];
    if (text === undefined) continue;
    seen.add(key);
    found.push({ file, line, text: maskSecrets(text) });
    if (found.length >= limit) break;
  }
  return found;
}

// The lines of `file` from `contents`, split on first use.
function linesOf(
  file: string,
  contents: ReadonlyMap<string, string>,
  cache: Map<string, readonly string[]>,
): readonly string[] | undefined {
  const known = cache.get(file);
  if (known !== undefined) return known;
  const text = contents.get(file);
  if (text === undefined) return undefined;
  const split = text.split("\n");
  cache.set(file, split);
  return split;
}

// Replace the word that follows `insecure-password` and `stats auth` (the keywords that carry a plain
// credential), quoted or escaped parts included: masking only up to the first space showed the rest.
export function maskSecrets(text: string): string {
  return text.replace(SECRET, (_all, keyword: string) => `${keyword} [redacted]`);
}
