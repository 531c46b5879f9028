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
  for (const match of output.matchAll(REFERENCE)) {
    const file = match[1] ?? "";
    const line = Number(match[2]);
    const key = `${file}:${line}`;
    const text = contents.get(file)?.split("\n")[line - 1];
    if (text === undefined || seen.has(key)) continue;
    seen.add(key);
    found.push({ file, line, text: maskSecrets(text) });
    if (found.length >= limit) break;
  }
  return found;
}

// Replace what follows `insecure-password` and `stats auth` (the keywords that carry a plain credential).
export function maskSecrets(text: string): string {
  return text.replace(SECRET, (_all, keyword: string) => `${keyword} [redacted]`);
}
