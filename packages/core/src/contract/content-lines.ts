// The line walk both file parsers share: bounded work and bounded problems whatever the input, blank
// lines and `#` comments skipped, lines with control characters or overlong lines reported, not judged.
import type { FileProblem } from "./shared-table.js";

/** a parse stops once this many problems are found, so a huge hostile file gives a bounded answer */
export const MAX_PROBLEMS = 20;
/**
 * the most servers and backends of a backends file, and keys of a map: what the generator can write at
 * its 250 000 containers (an HTTP and a TCP server each; a stack host per backend plus 100 000 alias keys
 * and 100 000 `hosts` claims). The 64 MiB byte cap alone let 2 million server lines through, whose check,
 * slot assignment and render held the reloader's loop for 43 s.
 */
export const MAX_SHARED_SERVERS = 500_000;
export const MAX_SHARED_BACKENDS = 500_000;
export const MAX_SHARED_MAP_KEYS = 500_000;
/** the most bytes of either shared file: the reloader reads no larger input, and the generator's union
 * step (old and new backends in one file) stays within it */
export const MAX_SHARED_FILE_BYTES = 64 * 1024 * 1024;
/** longer lines are refused unread: no line the generator writes comes near it */
export const MAX_LINE_LENGTH = 4096;
/** how much of an offending line a problem quotes */
const QUOTED_CHARACTERS = 200;

// The problems of one parse, at most `limit` (MAX_PROBLEMS unless a caller needs more of them listed).
// "unsettled" ones (a map naming a backend the backends file does not declare yet: a writer between its
// two renames) never fill the list: the walk goes on, and a line that is wrong in itself takes the last
// unsettled one's place, so a file is never waited on as "not settled yet" when a later line would
// refuse it.
export class ProblemList {
  readonly problems: FileProblem[] = [];
  private halted = false;
  /** problems found that are not "unsettled" */
  private judged = 0;

  private readonly limit: number;

  // `limit`: a positive integer, else MAX_PROBLEMS (a list that holds nothing would accept any file).
  constructor(limit = MAX_PROBLEMS) {
    this.limit = Number.isSafeInteger(limit) && limit > 0 ? limit : MAX_PROBLEMS;
  }

  get full(): boolean {
    return this.halted || this.judged >= this.limit;
  }

  add(problem: FileProblem): void {
    if (this.full) return;
    if (problem.kind !== "unsettled") this.judged++;
    if (this.problems.length < this.limit) this.problems.push(problem);
    else if (problem.kind !== "unsettled") {
      const last = this.problems.findLastIndex((kept) => kept.kind === "unsettled");
      if (last === -1) return;
      this.problems.splice(last, 1);
      this.problems.push(problem);
    }
  }

  // Adds `problem` and ends the parse: past a count cap, reading on is only work.
  halt(problem: FileProblem): void {
    this.add(problem);
    this.halted = true;
  }
}

// One line that holds something: its 1-based number, its words and whether it is indented (starts with a
// space or tab); `problem` reports a problem on it, quoting the line (cut from the file only then): call
// it on the line, or take `reporter()` to report one once the walk has moved on.
export class ContentLine {
  constructor(
    private readonly file: FileProblem["file"],
    private readonly problems: ProblemList,
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    readonly line: number,
    readonly words: string[],
  ) {}

  get indented(): boolean {
    const code = this.text.charCodeAt(this.start);
    return code === 0x20 || code === 0x09;
  }

  problem(reason: string): void {
    const text = this.text.slice(this.start, Math.min(this.end, this.start + QUOTED_CHARACTERS));
    this.problems.add({ file: this.file, line: this.line, text, reason });
  }

  // `problem` as a function of its own, for a problem found once the walk is past this line.
  reporter(): (reason: string) => void {
    return (reason) => this.problem(reason);
  }
}

// The lines of `text` that are neither blank nor comments, split into words on spaces and tabs; stops
// as soon as the problem list is full. A non-empty file must end with a newline (else it was cut short).
// Hot: the reloader reads files of up to 500 000 server lines with it, so a line costs its words' slices
// and one object (no regex split, no closure, no copy of the line).
export function* contentLines(
  text: string,
  file: FileProblem["file"],
  problems: ProblemList,
): Generator<ContentLine> {
  if (text === "") return;
  if (!text.endsWith("\n"))
    problems.add({ file, line: null, text: null, reason: "does not end with a newline (cut short?)" });
  let start = 0;
  for (let line = 1; start < text.length && !problems.full; line++) {
    const end = nextLineEnd(text, start);
    if (end - start > MAX_LINE_LENGTH) {
      const raw = text.slice(start, start + QUOTED_CHARACTERS);
      problems.add({ file, line, text: raw, reason: `is longer than ${MAX_LINE_LENGTH} characters` });
    } else {
      const words = splitWords(text, start, end);
      if (words === CONTROL) {
        const raw = text.slice(start, end);
        problems.add({ file, line, text: quoted(raw), reason: controlCharacterReason(raw) });
      } else if (words !== null) yield new ContentLine(file, problems, text, start, end, line, words);
    }
    start = end + 1;
  }
}

/** splitWords' answer for a line with a control character */
const CONTROL: string[] = [];

// The words of text[start, end) split on runs of spaces and tabs; null for a blank line or a comment
// (its first word starts with `#`); CONTROL when the line holds a control character other than tab.
function splitWords(text: string, start: number, end: number): string[] | null {
  let words: string[] | null = null;
  let wordStart = -1;
  for (let at = start; at < end; at++) {
    const code = text.charCodeAt(at);
    if (code === 0x20 || code === 0x09) {
      if (wordStart !== -1) {
        (words ??= []).push(text.slice(wordStart, at));
        wordStart = -1;
      }
    } else if (isControl(code)) return CONTROL;
    else if (wordStart === -1) {
      if (words === null && code === 0x23) return hasControlCharacter(text, at, end) ? CONTROL : null;
      wordStart = at;
    }
  }
  if (wordStart !== -1) (words ??= []).push(text.slice(wordStart, end));
  return words;
}

// The part of a line a problem quotes.
function quoted(raw: string): string {
  return raw.length > QUOTED_CHARACTERS ? raw.slice(0, QUOTED_CHARACTERS) : raw;
}

function nextLineEnd(text: string, start: number): number {
  const end = text.indexOf("\n", start);
  return end === -1 ? text.length : end;
}

// The reason a line with a control character is refused: a carriage return named as such (a CRLF file,
// a stray `\r` line: a hand edit on Windows), any other by its code point, with the column of the first,
// so the user knows what to strip.
function controlCharacterReason(raw: string): string {
  const cr = raw.indexOf("\r");
  if (cr !== -1)
    return `contains a control character: a carriage return (\\r) at column ${cr + 1} (a CRLF line ending?)`;
  let at = 0;
  while (at < raw.length && !isControl(raw.charCodeAt(at))) at++;
  const code = raw.charCodeAt(at).toString(16).toUpperCase().padStart(4, "0");
  return `contains a control character (U+${code}) at column ${at + 1}`;
}

// Control characters other than tab (a CR, an escape...) in text[start, end), without copying it.
function hasControlCharacter(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (isControl(text.charCodeAt(index))) return true;
  return false;
}

// A control character other than tab.
function isControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09) || code === 0x7f;
}
