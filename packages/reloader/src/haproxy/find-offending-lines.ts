// Point at the config lines a failed check complains about (`parsing [file:line]`), secrets masked.

// One line HAProxy named in its check output.
export interface OffendingLine {
  file: string;
  line: number;
  text: string;
}

const REFERENCE = /\[([^\]\s]+):(\d+)\]/g;
const SECRET = /\b(insecure-password|stats auth)\s+\S+/gi;

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

// Replace what follows `insecure-password` and `stats auth` (the keywords that carry a plain credential).
export function maskSecrets(text: string): string {
  return text.replace(SECRET, (_all, keyword: string) => `${keyword} [redacted]`);
}
