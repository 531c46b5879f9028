// A `.if` / `.elif` condition as HAProxy 2.6 evaluates it (cfgcond.c): its text is the line's words
// after the directive joined by spaces (haproxy-line-words.ts: quotes and variables already resolved),
// read as numbers (strtol, base 0: `0`, `+0`, `0x0`, `00` are false), `!`, `&&` (before `||`),
// parentheses and the predicates `defined(X)`, `streq(a,b)` and `strneq(a,b)` (their arguments read
// with HAProxy's second level of quotes and escapes, make_arg_list); `feature(...)`,
// `version_atleast(...)` and `version_before(...)` read the HAProxy binary's build (`haproxy -vv`:
// haproxy-build.ts) as 2.6 reads its own, and are not known without it. A text HAProxy refuses (a fatal
// error: the config fails on its own) is not known either. Pure, total, and linear in the text: `&&`
// and `||` chains are loops, only parentheses recurse, and HAProxy's own depth bound
// (MAX_CFG_RECURSION, 1024 calls) stops them first.

import type { HaproxyBuild } from "./haproxy-build.js";

// Known true, known false, or not known here.
export type Truth = true | false | null;

// What the predicates ask of the environment: whether a variable exists (null: not known).
export type DefinedLookup = (name: string) => Truth;

// HAProxy 2.6's bound on the parser's nested calls (each `(`, `&&` and `||` costs one or more).
const MAX_CFG_RECURSION = 1024;

// A text HAProxy refuses.
const REFUSED = Symbol("refused");
type Parsed = Truth | typeof REFUSED;

// The predicates HAProxy 2.6 knows, with how many arguments each takes.
const PREDICATES: ReadonlyMap<string, number> = new Map([
  ["defined", 1],
  ["feature", 1],
  ["streq", 2],
  ["strneq", 2],
  ["version_atleast", 1],
  ["version_before", 1],
]);

// The value of the condition `text` (the words after `.if`, joined by spaces): null when not known.
// `build`: the HAProxy binary's, when known.
export function evaluateCondition(text: string, defined: DefinedLookup, build?: HaproxyBuild | null): Truth {
  if (text === "") return false;
  let at = 0;
  const skipBlanks = () => {
    while (text[at] === " " || text[at] === "\t") at += 1;
  };

  // `operand (operator operand)*`, folded with `combine` from `start`; each operand one call deeper, as
  // HAProxy's recursive `expr := and ('||' expr)?` and `and := term ('&&' and)?` are.
  const chain = (
    depth: number,
    operator: string,
    start: Truth,
    combine: (left: Truth, right: Truth) => Truth,
    operand: (depth: number) => Parsed,
  ): Parsed => {
    let value = start;
    for (let level = depth; ; level -= 1) {
      if (at >= text.length || level <= 0) return REFUSED;
      const right = operand(level - 1);
      if (right === REFUSED) return REFUSED;
      value = combine(value, right);
      skipBlanks();
      if (!text.startsWith(operator, at)) return value;
      at += operator.length;
      skipBlanks();
    }
  };
  // expr := and ('||' expr)?
  const expression = (depth: number): Parsed => chain(depth, "||", false, or, conjunction);
  // and := term ('&&' and)?
  const conjunction = (depth: number): Parsed => chain(depth, "&&", true, and, term);
  // term := '!'* (number | '(' expr ')' | predicate)
  const term = (depth: number): Parsed => {
    skipBlanks();
    if (at >= text.length || depth <= 0) return REFUSED;
    let negated = false;
    while (text[at] === "!") {
      negated = !negated;
      at += 1;
      skipBlanks();
    }
    const value = number() ?? parenthesised(depth) ?? predicate();
    return negated && value !== REFUSED ? not(value) : value;
  };
  // A number as strtol(base 0) reads it at `at`: its truth, or undefined when none is there.
  const number = (): Truth | undefined => {
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (match === null) return undefined;
    at = NUMBER.lastIndex;
    return /[1-9a-fA-F]/.test(match[1] ?? match[2] ?? match[3] ?? "");
  };
  const parenthesised = (depth: number): Parsed | undefined => {
    if (text[at] !== "(") return undefined;
    at += 1;
    skipBlanks();
    const value = expression(depth - 1);
    if (value === REFUSED) return REFUSED;
    skipBlanks();
    if (text[at] !== ")") return REFUSED;
    at += 1;
    skipBlanks();
    return value;
  };
  const predicate = (): Parsed => {
    const name = /^[^ (]*/.exec(text.slice(at, at + 16))?.[0] ?? "";
    const count = PREDICATES.get(name);
    if (count === undefined) return REFUSED;
    at += name.length;
    const args = argumentList(count);
    if (args === REFUSED) return REFUSED;
    if (name === "defined") return defined(args[0] ?? "");
    if (name === "streq") return args[0] === args[1];
    if (name === "strneq") return args[0] !== args[1];
    if (name === "feature") return hasFeature(build?.features ?? null, args[0] ?? "");
    const compared = compareVersion(build?.version ?? null, args[0] ?? "");
    if (compared === null) return null;
    return name === "version_atleast" ? compared <= 0 : compared > 0;
  };
  // `(a,b)` at `at` as make_arg_list reads it: exactly `count` arguments, then `)`.
  const argumentList = (count: number): string[] | typeof REFUSED => {
    if (text[at] !== "(") return REFUSED;
    at += 1;
    const args: string[] = [];
    for (;;) {
      let arg = "";
      let squote = false;
      let dquote = false;
      for (;;) {
        const char = text[at];
        if (char === undefined) break;
        if (char === '"' && !squote) dquote = !dquote;
        else if (char === "'" && !dquote) squote = !squote;
        else if (char === "\\" && !squote && at + 1 < text.length) {
          const next = text[at + 1]!;
          const escaped = ARG_ESCAPES[next];
          if (escaped !== undefined) {
            arg += escaped;
            at += 1;
          } else arg += "\\";
        } else if (!squote && !dquote && (char === "," || char === ")")) break;
        else arg += char;
        at += 1;
      }
      args.push(arg);
      if (at >= text.length || text[at] === ")" || args.length >= count) break;
      at += 1; // the comma
    }
    if (args.length < count || text[at] !== ")") return REFUSED;
    at += 1;
    return args.map((arg) => arg.split("\0")[0] ?? "");
  };

  const value = expression(MAX_CFG_RECURSION);
  if (value === REFUSED) return null;
  skipBlanks();
  return at < text.length ? null : value;
}

// What strtol(base 0) reads: spaces, a sign, then hex after `0x`, octal after `0`, or decimal (sticky:
// matched at one index, not searched for).
const NUMBER = /[ \t\n\v\f\r]*[+-]?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))/y;

// What a backslash stands for in a predicate's argument (make_arg_list); any other backslash stays.
const ARG_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  " ": " ",
  '"': '"',
  "'": "'",
  r: "\r",
  n: "\n",
  t: "\t",
};

// feature(name) as HAProxy 2.6 evaluates it in its build_features (`-51DEGREES +ACCEPT4 ...`): the first
// occurrence of `name` that follows a character and ends the list or a word decides, true after a `+`,
// false after a `-`; none is false. An empty name reads past the list in HAProxy (a C loop beyond its NUL:
// `haproxy -cc 'feature()'` is true there): not known, as any name is without the list.
export function hasFeature(features: string | null, name: string): Truth {
  if (features === null || name === "") return null;
  for (let at = features.indexOf(name); at !== -1; at = features.indexOf(name, at + 1)) {
    const after = features[at + name.length];
    if (at > 0 && (after === undefined || after === " ")) {
      if (features[at - 1] === "+") return true;
      if (features[at - 1] === "-") return false;
    }
  }
  return false;
}

// How many numbers HAProxy splits a version into (VERSION_MAX_ELTS): a.b.c.d, the tag's kind (dev 1,
// rc/pre 2, none 3) and number, and the commit count after the last `-`.
const VERSION_PARTS = 7;

// compare_current_version: -1 when `version` is older than the binary's `current`, 0 the same, 1 newer,
// -2 when `current` does not split, -3 when `version` does not (version_atleast is true on both, as in
// HAProxy); null when the binary's version is not known.
export function compareVersion(current: string | null, version: string): number | null {
  if (current === null) return null;
  const local = splitVersion(current);
  if (local === null) return -2;
  const given = splitVersion(version);
  if (given === null) return -3;
  for (let index = 0; index < VERSION_PARTS; index += 1) {
    if (given[index]! < local[index]!) return -1;
    if (given[index]! > local[index]!) return 1;
  }
  return 0;
}

// split_version (HAProxy 2.6 haproxy.c): `a[.b[.c[.d]]][-(dev|rc|pre)N][-commit]` into VERSION_PARTS
// unsigned ints, each read by strtol (spaces and a sign taken, the long kept modulo 2^32), or null when
// HAProxy refuses it.
export function splitVersion(version: string): number[] | null {
  const value = [0, 0, 0, 0, 3, 0, 0];
  if (version === "") return null;
  let at = 0;
  let tag = false;
  for (let index = 0; index < 4; index += 1) {
    const read = strtol(version, at);
    value[index] = read.value;
    const stop = version[read.end];
    at = read.end + 1;
    if (stop === undefined) return value;
    if (stop === "-") {
      tag = true;
      break;
    }
    if (stop !== "." || index === 3) return null;
  }
  if (!tag) return null;
  if (!/[0-9]/.test(version[at] ?? "")) {
    const kind = version.startsWith("dev", at)
      ? 1
      : version.startsWith("rc", at) || version.startsWith("pre", at)
        ? 2
        : 0;
    if (kind !== 0) {
      value[4] = kind;
      at += version.startsWith("rc", at) ? 2 : 3;
      const read = strtol(version, at);
      value[5] = read.value;
      const stop = version[read.end];
      at = read.end + 1;
      if (stop === undefined) return value;
      if (stop !== "-") return null;
    }
  }
  // The commit count: after the last `-` from here, else the rest; 0 unless all of it is a number.
  const dash = version.lastIndexOf("-");
  const from = dash >= at ? dash + 1 : at;
  if (dash >= at && from >= version.length) return null;
  const read = strtol(version, from);
  value[6] = read.end === version.length ? read.value : 0;
  return value;
}

// strtol(text + at, &end, 10) as glibc reads it, its long kept modulo 2^32 (C's conversion to unsigned
// int): spaces, a sign, digits; none read leaves `end` at `at` and the value 0.
function strtol(text: string, at: number): { value: number; end: number } {
  const match = /[ \t\n\v\f\r]*([+-]?)([0-9]+)/y;
  match.lastIndex = at;
  const found = match.exec(text);
  if (found === null) return { value: 0, end: at };
  // Past 19 digits (leading zeros aside) the value is beyond a long: strtol saturates.
  const digits = found[2]!.replace(/^0+(?=.)/, "");
  let long = digits.length > 19 ? LONG_MAX + 1n : BigInt(digits);
  if (found[1] === "-") long = -long;
  if (long > LONG_MAX) long = LONG_MAX;
  if (long < -LONG_MAX - 1n) long = -LONG_MAX - 1n;
  return { value: Number(BigInt.asUintN(32, long)), end: match.lastIndex };
}

// The largest long (LONG_MAX on a 64-bit Linux), where strtol saturates.
const LONG_MAX = (1n << 63n) - 1n;

// Kleene's three-valued not, and, or: a value not known stays so unless the other decides it.
export function not(value: Truth): Truth {
  return value === null ? null : !value;
}

// Known false when either is, known true when both are.
export function and(left: Truth, right: Truth): Truth {
  if (left === false || right === false) return false;
  return left === null || right === null ? null : true;
}

// Known true when either is, known false when both are.
export function or(left: Truth, right: Truth): Truth {
  if (left === true || right === true) return true;
  return left === null || right === null ? null : false;
}
