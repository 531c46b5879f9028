// PEM blocks found by plain string search, in linear time. The regexes they replace
// (`/-----BEGIN X-----[\s\S]+?-----END X-----/`) rescanned the rest of the text from every BEGIN line
// without an END after it: 1 MiB of "-----BEGIN CERTIFICATE-----\n" took ≈ 10 s of the reloader's only
// thread, and a certificate text comes from metadata.

// Every `label` block of `text` in order, each from its BEGIN line to the first END line after it (what
// the global regex matched).
export function pemBlocks(text: string, label: string): string[] {
  const blocks: string[] = [];
  for (let found = nextBlock(text, label, 0); found; found = nextBlock(text, label, found.end))
    blocks.push(text.slice(found.start, found.end));
  return blocks;
}

// The leftmost complete block of any of `labels` (what one regex with the labels as alternatives and a
// back-reference to close the block found), or undefined.
export function firstPemBlock(text: string, labels: readonly string[]): string | undefined {
  let first: { start: number; end: number } | null = null;
  for (const label of labels) {
    const found = nextBlock(text, label, 0);
    if (found && (first === null || found.start < first.start)) first = found;
  }
  return first === null ? undefined : text.slice(first.start, first.end);
}

// The first `label` block starting at or after `from`. With no END after a BEGIN there is none after a
// later BEGIN either, so one indexOf of each marker suffices.
function nextBlock(text: string, label: string, from: number): { start: number; end: number } | null {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = text.indexOf(begin, from);
  if (start < 0) return null;
  // At least one character between the markers, as the regex's `[\s\S]+?` asked.
  const at = text.indexOf(end, start + begin.length + 1);
  return at < 0 ? null : { start, end: at + end.length };
}

// Whether `text` ends inside a PEM block: a BEGIN line without its END line, or a marker cut short after
// the last whole block, as a file read while it is being written ends. Linear, like pemBlocks.
export function endsInsideBlock(text: string): boolean {
  let from = 0;
  for (;;) {
    const start = text.indexOf("-----BEGIN ", from);
    if (start < 0) {
      const tail = text.slice(from);
      return tail.includes("-----") || tail.slice(tail.lastIndexOf("\n") + 1).startsWith("-");
    }
    const close = text.indexOf("-----", start + 11);
    if (close < 0) return true;
    const end = `-----END ${text.slice(start + 11, close)}-----`;
    const at = text.indexOf(end, close + 5);
    if (at < 0) return true;
    from = at + end.length;
  }
}

// One PEM block without carriage returns, blank lines or surrounding spaces.
export function compactBlock(block: string): string {
  return block
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("\n");
}
