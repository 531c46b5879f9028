// The words of one line of a base config as HAProxy 2.6 cuts them (tools.c parse_line, with the options
// readcfgfile passes: comments, both quotes, backslashes, environment variables, `${X[*]}`): leading
// spaces skipped, a `#` outside quotes or a CR ends the line, `\ `, `\\`, `\t`, `\n`, `\r`, `\#`, `\'`,
// `\"`, `\xNN` and (inside double quotes) `\$` escaped, any other backslash kept, nothing interpreted
// inside single quotes, and `$X`, `${X}`, `${X-default}`, `${X[*]}` expanded only inside double quotes
// (an unset one is nothing). A word may hold a NUL (`\x00`): HAProxy's C string of it ends there
// (cWord), but a `.if` condition is the line's words with every NUL a space. What the reloader cannot
// know (a variable `lookup` does not know, a pseudo-variable `.LINE`...) makes the word null.
// Pure, total and linear in the line.

// A word of a line, or null when it depends on something not known here.
export type ConfigWord = string | null;

// A variable's value in HAProxy's environment: a string, undefined when unset, null when not known.
export type VariableLookup = (name: string) => string | undefined | null;

// The most words HAProxy takes on a line (MAX_LINE_ARGS): more is a fatal error.
const MAX_WORDS = 64;

// The bytes C's isspace() takes in the C locale.
const SPACE = new Set([" ", "\t", "\n", "\v", "\f", "\r"]);

// The words of `line` (no LF in it) as HAProxy reads them, or null when HAProxy refuses the line
// (unmatched quote or brace, bad `\x`, bad variable name, too many words: a fatal error, so the config
// fails on its own). The words of a line with no word are [].
export function haproxyLineWords(line: string, lookup: VariableLookup): ConfigWord[] | null {
  const words: ConfigWord[] = [];
  // The current word's pieces, joined when it ends (appending to one string grew slower than linearly).
  let word: string[] = [];
  let known = true;
  let squote = false;
  let dquote = false;
  let at = 0;
  while (at < line.length && SPACE.has(line[at]!)) at += 1;
  const cut = () => {
    words.push(known ? word.join("") : null);
    word = [];
    known = true;
  };
  for (;;) {
    const char = line[at];
    if (char === undefined || char === "\0" || char === "\n" || char === "\r") break;
    if (char === "#" && !squote && !dquote) break;
    PLAIN.lastIndex = at;
    if (PLAIN.test(line)) {
      word.push(line.slice(at, PLAIN.lastIndex));
      at = PLAIN.lastIndex;
      continue;
    }
    if (char === '"' && !squote) {
      dquote = !dquote;
      at += 1;
    } else if (char === "'" && !dquote) {
      squote = !squote;
      at += 1;
    } else if (char === "\\" && !squote) {
      const next = line[at + 1];
      if (next === "x") {
        const hex = line.slice(at + 2, at + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
        word.push(String.fromCharCode(Number.parseInt(hex, 16)));
        at += 4;
        continue;
      }
      const escaped = ESCAPES[next ?? ""];
      if (escaped !== undefined && (next !== "$" || dquote)) {
        word.push(escaped);
        at += 2;
      } else {
        word.push("\\");
        at += 1;
      }
    } else if (SPACE.has(char) && !squote && !dquote) {
      while (at < line.length && SPACE.has(line[at]!)) at += 1;
      cut();
    } else if (char === "$" && dquote) {
      const variable = expandVariable(line, at + 1, lookup);
      if (variable === null) return null;
      at = variable.end;
      if (variable.value === null) known = false;
      else if (!variable.split) word.push(variable.value);
      else {
        // `${X[*]}`: the value's space-separated parts are words of their own.
        const parts = variable.value.split(/[ \t\n\v\f\r]+/);
        word.push(parts[0] ?? "");
        for (const part of parts.slice(1)) {
          cut();
          word.push(part);
        }
      }
    } else {
      word.push(char);
      at += 1;
    }
  }
  if (squote || dquote) return null;
  // The last word is one unless it is empty (HAProxy adds no empty word after trailing spaces).
  if (word.some((piece) => piece !== "") || !known) cut();
  return words.length > MAX_WORDS ? null : words;
}

// A word as HAProxy's C code sees it: up to its first NUL.
export function cWord(word: string): string {
  const nul = word.indexOf("\0");
  return nul === -1 ? word : word.slice(0, nul);
}

// A run of characters that stand for themselves in every quoting state (sticky: matched at one index).
const PLAIN = /[^\0\n\r#"'\\$ \t\v\f]+/y;

// What a backslash before these characters stands for (`$` only inside double quotes).
const ESCAPES: Readonly<Record<string, string>> = {
  " ": " ",
  "\\": "\\",
  t: "\t",
  n: "\n",
  r: "\r",
  "#": "#",
  "'": "'",
  '"': '"',
  $: "$",
};

// The variable after a `$` at `from`: its value (null: not known), whether it is split into words
// (`[*]`), and where the text goes on; null when HAProxy refuses it.
function expandVariable(
  line: string,
  from: number,
  lookup: VariableLookup,
): { value: string | null; split: boolean; end: number } | null {
  let at = from;
  const brace = line[at] === "{";
  if (brace) at += 1;
  const first = line[at] ?? "";
  if (!/[A-Za-z_.]/.test(first)) return null;
  const start = at;
  if (first === ".") at += 1;
  while (at < line.length && /[A-Za-z0-9_]/.test(line[at]!)) at += 1;
  const name = line.slice(start, at);
  let value: string | undefined | null;
  if (name.startsWith(".")) {
    // `.LINE`, `.FILE`, `.SECTION`: HAProxy's own, not known here; any other is refused.
    if (name !== ".LINE" && name !== ".FILE" && name !== ".SECTION") return null;
    value = null;
  } else value = lookup(name);
  let split = false;
  if (brace && line[at] === "[") {
    if (line[at + 1] !== "*" || line[at + 2] !== "]") return null;
    split = true;
    at += 3;
  }
  if (brace) {
    if (line[at] === "-") {
      // HAProxy looks for the `}` up to the end of the line (a NUL ends it).
      const close = line.indexOf("}", at);
      if (close === -1 || line.slice(at, close).includes("\0")) return null;
      if (value === undefined) value = line.slice(at + 1, close);
      at = close;
    } else if (line[at] !== "}") return null;
    at += 1;
  }
  return { value: value === undefined ? "" : value, split, end: at };
}
