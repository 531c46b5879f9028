// The words of the lines of a base config HAProxy may read, as configWords gives them: the lines of a
// `.if` / `.elif` / `.else` branch HAProxy 2.6 skips are left out when the text alone decides it (a
// condition of numbers, none or `""`, `!`, `&&`, `||` and parentheses: `.if 0` around a block is a common
// way to switch it off), or the text and the names of the environment HAProxy inherits (`environment`,
// the reloader's own: `defined(X)`, see definedIn). Any other condition on the environment or the build
// (`"$X"`, `feature(...)`, `streq(...)`, `version_atleast(...)`) cannot be decided here and counts as
// true, as every line did before; so does a quoted condition with spaces (`"1 && 0"`: configWords splits
// it). The directive lines themselves are left out. Pure and total: unbalanced directives are ignored.
import { configWords } from "./config-words.js";

// One line HAProxy may read: its 1-based number in the text and its words.
export interface ReadLine {
  line: number;
  words: string[];
}

// Known true, known false, or not known from the text.
type Truth = true | false | null;

// One open `.if` block: whether its current branch is read, and whether an earlier branch was taken.
interface Branch {
  active: Truth;
  taken: Truth;
}

// The words of each line of `text` that is not in a branch HAProxy skips, in order.
export function configReadWords(text: string, environment?: ReadonlySet<string>): string[][] {
  return configReadLines(text, environment).map((read) => read.words);
}

// The lines of `text` that are not in a branch HAProxy skips, with their numbers (a warning names them).
// `environment`: the names of the variables HAProxy starts with (absent: `defined(X)` is not known).
// Linear in the text: the open blocks whose branch is skipped are counted as they open and close, not
// looked over at each line (80 000 unclosed `.if 1` before 80 000 lines took 11 s).
export function configReadLines(text: string, environment?: ReadonlySet<string>): ReadLine[] {
  const lines = text.split("\n").map(configWords);
  const defined = definedIn(lines, environment);
  const evaluate = (words: readonly string[]): Truth => evaluateCondition(words, defined);
  const read: ReadLine[] = [];
  const open: Branch[] = [];
  let skipped = 0;
  for (const [index, words] of lines.entries()) {
    const directive = words[0];
    if (directive === ".if") {
      const condition = evaluate(words.slice(1));
      open.push({ active: condition, taken: condition });
      if (condition === false) skipped += 1;
    } else if (directive === ".elif" || directive === ".else") {
      const branch = open[open.length - 1];
      if (branch === undefined) continue;
      const condition = directive === ".else" ? true : evaluate(words.slice(1));
      if (branch.active === false) skipped -= 1;
      branch.active = and(not(branch.taken), condition);
      branch.taken = or(branch.taken, condition);
      if (branch.active === false) skipped += 1;
    } else if (directive === ".endif") {
      if (open.pop()?.active === false) skipped -= 1;
    } else if (skipped === 0) read.push({ line: index + 1, words });
  }
  return read;
}

// The keywords of `global` that change HAProxy's environment while it parses (and, in the master, for
// its next reload's parse): with any of them, what `defined(X)` finds is not the environment it started with.
const SETS_ENVIRONMENT = new Set(["setenv", "presetenv", "unsetenv", "resetenv"]);

// How `defined(<name>)` is known from the text: whether `<name>` is in `environment`, which HAProxy
// inherits (checked with haproxy -c: set, even empty, is true; unset is false), when that is all it
// depends on: not for a `HAPROXY_*` name (HAProxy sets some itself: HAPROXY_LOCALPEER at every parse,
// HAPROXY_MWORKER, HAPROXY_CLI and others in the master's reloads, not in `haproxy -c`), nor in a text
// with a setenv, presetenv, unsetenv or resetenv line (in any branch). Else null: not known.
function definedIn(
  lines: readonly (readonly string[])[],
  environment: ReadonlySet<string> | undefined,
): (name: string) => Truth {
  if (environment === undefined || lines.some((words) => SETS_ENVIRONMENT.has(words[0] ?? "")))
    return () => null;
  return (name) => (name.startsWith("HAPROXY_") ? null : environment.has(name));
}

// The deepest parentheses evaluated: HAProxy 2.6 refuses a condition nested past 340 of them, and deeper
// ones here would only run the recursion out of stack (a throw).
const MAX_PARENTHESES = 1024;

// A condition's words (unquoted) as HAProxy 2.6 evaluates them: numbers as strtol reads them (base 0: `0`,
// `-0`, `+0`, `0x0` are false), none or an empty string (false), `!`, `&&`, `||`, parentheses and
// `defined(<name>)` as `defined` knows it; null when its value depends on any other term. HAProxy reads a
// predicate's argument up to its `)`, spaces and quotes included (`defined( X )` asks for " X "): only
// `defined(X)` written as one word of letters, digits and `_` is looked up.
function evaluateCondition(words: readonly string[], defined: (name: string) => Truth): Truth {
  if (words.every((word) => word === "")) return false;
  const tokens =
    words.join(" ").match(/&&|\|\||defined\([A-Za-z_][A-Za-z0-9_]*\)|[!()]|[^\s!()&|]+|[&|]/g) ?? [];
  let at = 0;
  const expression = (depth: number): Truth | undefined => {
    let value = conjunction(depth);
    while (value !== undefined && tokens[at] === "||") {
      at += 1;
      const right = conjunction(depth);
      value = right === undefined ? undefined : or(value, right);
    }
    return value;
  };
  const conjunction = (depth: number): Truth | undefined => {
    let value = unary(depth);
    while (value !== undefined && tokens[at] === "&&") {
      at += 1;
      const right = unary(depth);
      value = right === undefined ? undefined : and(value, right);
    }
    return value;
  };
  // A term; the `!`s before it are counted, not recursed into (HAProxy takes 20 000 of them in a row,
  // which ran the recursion out of stack).
  const unary = (depth: number): Truth | undefined => {
    let negated = false;
    while (tokens[at] === "!") {
      negated = !negated;
      at += 1;
    }
    const value = term(depth);
    return negated && value !== undefined ? not(value) : value;
  };
  const term = (depth: number): Truth | undefined => {
    const token = tokens[at];
    at += 1;
    if (token === "(") {
      if (depth >= MAX_PARENTHESES) return undefined;
      const value = expression(depth + 1);
      if (tokens[at] !== ")") return undefined;
      at += 1;
      return value;
    }
    if (token === undefined || token === ")" || token === "&&" || token === "||") return undefined;
    const number = /^[+-]?(?:0[xX]([0-9a-fA-F]+)|(\d+))$/.exec(token);
    if (number !== null) return /[1-9a-fA-F]/.test(number[1] ?? number[2] ?? "");
    const name = /^defined\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(token)?.[1];
    if (name !== undefined) return defined(name);
    // A predicate (`defined(X)`, ...) or a word from the environment: not known here.
    if (tokens[at] === "(") at = closing(at);
    return null;
  };
  // The index after the `)` that closes the `(` at `from` (the end when none does).
  const closing = (from: number): number => {
    let depth = 0;
    for (let index = from; index < tokens.length; index += 1) {
      if (tokens[index] === "(") depth += 1;
      if (tokens[index] === ")" && --depth === 0) return index + 1;
    }
    return tokens.length;
  };
  const value = expression(0);
  return value === undefined || at !== tokens.length ? null : value;
}

function not(value: Truth): Truth {
  return value === null ? null : !value;
}

function and(left: Truth, right: Truth): Truth {
  if (left === false || right === false) return false;
  return left === null || right === null ? null : true;
}

function or(left: Truth, right: Truth): Truth {
  if (left === true || right === true) return true;
  return left === null || right === null ? null : false;
}
