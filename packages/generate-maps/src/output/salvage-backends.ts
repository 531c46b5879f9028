// What the union step can keep of an old backends file the contract refuses as a whole (another version's
// line, a hand edit, a file cut short): each `backend` block is read by the contract on its own, so one
// refused line costs its block at most, never the options and servers of every other block. The file is
// in the shared volume and untrusted: nothing of it is kept but what the contract's parser returns.
import { MAX_SHARED_BACKENDS, parseSharedFiles, type SharedBackend } from "@rancher-haproxy/core";

/**
 * how many refused lines of one block the salvage has the contract list (its own limit is 20, so a
 * block with 21 refused server lines was read again with one of them left, and dropped); a block with
 * that many is left out without a second read (its list may not be whole). Bounded memory (≈ 2 MB of
 * problems at most, freed with the block) and work (the first read stops there).
 */
export const SALVAGE_MAX_PROBLEMS = 10_000;

// The blocks of `text` the contract accepts, each read alone with its options and servers; a block it
// refuses is read again without the lines it named (up to SALVAGE_MAX_PROBLEMS of them), and kept only
// if the contract then accepts it whole (a refused header, a file cut short in it, that many refused
// lines, or a second refused pass drops the block). A name declared in two blocks is dropped (which
// of them was meant cannot be told). Bounded work: two parses per block that starts with `backend`;
// any other block (a line the contract refuses at the first column, the comments before the first
// header) is left out unparsed: parsing each of them cost a 16 MiB file of 2-byte lines 8 million
// parses, seconds of a blocked loop (found by a review). Only the first MAX_SHARED_BACKENDS `backend`
// blocks are read (no file the contract accepts has more, and the union step keeps no more): the blocks
// after them only have their header's name looked at, so a name declared there again is still dropped.
// Reading every block of a hostile file of `backend b<n>` lines (61 MiB, what a cycle writing 30 MiB
// reads of the old file: 3.8 million blocks) cost 12.7 s of blocked loop and held 450 MB of backends;
// now 4.9 s and 120 MB (found by a review). `parse` is the contract's parser (a test counts its calls).
export function salvageBackends(text: string, parse = parseSharedFiles): SharedBackend[] {
  const kept = new Map<string, SharedBackend>();
  const twice = new Set<string>();
  let read = 0;
  for (const block of eachBlock(text)) {
    if (!block.startsWith("backend")) continue; // the contract reads no backend from it
    if (read >= MAX_SHARED_BACKENDS) {
      const name = headerName(block);
      if (name !== undefined && kept.has(name)) twice.add(name);
      continue;
    }
    read += 1;
    const backend = readBlock(block, parse);
    if (backend === undefined) continue;
    if (kept.has(backend.name)) twice.add(backend.name);
    else kept.set(backend.name, backend);
  }
  return [...kept.values()].filter((backend) => !twice.has(backend.name));
}

// The name a block's `backend <name>` header declares, unparsed (a block past those read: only a name
// kept already matters), else undefined.
function headerName(block: string): string | undefined {
  let end = block.indexOf("\n");
  if (end === -1) end = block.length;
  while (end > 0 && (block[end - 1] === " " || block[end - 1] === "\t")) end--;
  const words = block.slice(0, end).split(/[ \t]+/, 3);
  return words[0] === "backend" && words.length === 2 ? words[1] : undefined;
}

// The one backend the contract reads from `block`, or undefined.
function readBlock(block: string, parse: typeof parseSharedFiles): SharedBackend | undefined {
  const parsed = parse({ backends: block, map: "" }, SALVAGE_MAX_PROBLEMS);
  if (parsed.ok) return parsed.table.backends.length === 1 ? parsed.table.backends[0] : undefined;
  // a full list may leave refused lines out: the second read would refuse the block anyway
  if (parsed.problems.length >= SALVAGE_MAX_PROBLEMS) return undefined;
  const refused = new Set<number>();
  for (const { line } of parsed.problems) {
    // the header (line 1) or the whole block (null: cut short): nothing of it can be trusted
    if (line === null || line === 1) return undefined;
    refused.add(line);
  }
  const again = parse({ backends: withoutLines(block, refused), map: "" });
  return again.ok && again.table.backends.length === 1 ? again.table.backends[0] : undefined;
}

// `text` without its lines numbered in `lines` (1-based).
function withoutLines(text: string, lines: ReadonlySet<number>): string {
  let kept = "";
  let number = 1;
  for (let start = 0; start < text.length; number++) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end + 1;
    if (!lines.has(number)) kept += text.slice(start, stop);
    start = stop;
  }
  return kept;
}

// The blocks of a backends file: each from a line that starts at its first column with neither a blank
// nor a `#` (a header, or a line the contract refuses there) to the next such line, line feeds kept. A
// line of only blanks and `\r` (a CRLF blank line, a hand edit on Windows) opens none: the contract
// refuses it at its own line, inside the block it stands in, and so the block is read without it.
function* eachBlock(text: string): Generator<string> {
  let blockStart = 0;
  for (let start = 0; start < text.length;) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end + 1;
    if (start > blockStart && startsBlock(text, start, stop)) {
      yield text.slice(blockStart, start);
      blockStart = start;
    }
    start = stop;
  }
  if (blockStart < text.length) yield text.slice(blockStart);
}

// Whether the line from `start` to `stop` opens a block: its first character is not a blank, a tab, `#`
// or its line feed, and it is not only `\r`s and blanks (a `\r` at the first column followed by anything
// else still opens one: what it hides cannot be told, so it is not added to the block above).
function startsBlock(text: string, start: number, stop: number): boolean {
  const code = text.charCodeAt(start);
  if (code === 0x20 || code === 0x09 || code === 0x23 || code === 0x0a) return false;
  for (let at = start; at < stop; at++) {
    const next = text.charCodeAt(at);
    if (next !== 0x0d && next !== 0x20 && next !== 0x09 && next !== 0x0a) return true;
  }
  return false;
}
