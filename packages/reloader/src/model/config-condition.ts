// A `.if` / `.elif` condition as HAProxy 2.6 evaluates it (cfgcond.c): its text is the line's words after
// the directive joined by spaces (haproxy-line-words.ts: quotes and variables already resolved), read as
// numbers (strtol, base 0: `0`, `+0`, `0x0`, `00` are false), `!`, `&&` (before `||`), parentheses and the
// predicates `defined(X)`, `streq(a,b)` and `strneq(a,b)` (their arguments read with HAProxy's second
// level of quotes and escapes, make_arg_list); `feature(...)`, `version_atleast(...)` and
// `version_before(...)` read the HAProxy binary's build (build-predicates.ts, from `haproxy -vv`:
// haproxy-build.ts) as 2.6 reads its own, and are not known without it. A text HAProxy refuses (a fatal
// error: the config fails on its own) is not known either. Pure, total, and linear in the text: `&&` and
// `||` chains are loops, only parentheses recurse, and HAProxy's own depth bound (MAX_CFG_RECURSION, 1024
// calls) stops them first.

import { compareVersion, hasFeature } from "./build-predicates.js";
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
