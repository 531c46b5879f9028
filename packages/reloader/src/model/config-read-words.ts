// The words of the lines of a base config HAProxy may read: the lines of a `.if` / `.elif` / `.else`
// branch HAProxy 2.6 skips are left out when the text and what is known of the environment HAProxy
// inherits (`environment`, the reloader's own) decide it. Each line is cut into words as HAProxy cuts it
// (haproxy-line-words.ts: quotes, escapes, `"$X"`), and a condition of numbers, none or `""`, `!`, `&&`,
// `||`, parentheses and `defined(X)` is evaluated. Any other (`feature(...)`, `streq(...)`, a variable
// HAProxy sets itself or the config changes) cannot be decided here and counts as true, as every line did
// before. The directive lines themselves are left out. Pure and total: unbalanced directives are ignored.
import { configWords } from "./config-words.js";
import { cWord, haproxyLineWords, type ConfigWord, type VariableLookup } from "./haproxy-line-words.js";

// One line HAProxy may read: its 1-based number in the text, its words as configWords gives them (the
// light reading hard-stop-after.ts uses) and as HAProxy cuts them (`exact`: null words are not known
// here; null when HAProxy refuses the line, a fatal error).
export interface ReadLine {
  line: number;
  words: string[];
  exact: ConfigWord[] | null;
}

// The variables HAProxy starts with, by name: the reloader's environment, which it inherits.
export type HaproxyEnvironment = ReadonlyMap<string, string>;

// The variables of a process environment that are set (`process.env` types an absent one as undefined).
export function environmentOf(env: Readonly<Record<string, string | undefined>>): HaproxyEnvironment {
  return new Map(
    Object.entries(env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value]])),
  );
}

// Known true, known false, or not known from the text.
type Truth = true | false | null;

// One open `.if` block: whether its current branch is read, and whether an earlier branch was taken.
interface Branch {
  active: Truth;
  taken: Truth;
}

// The words of each line of `text` that is not in a branch HAProxy skips, in order.
export function configReadWords(text: string, environment?: HaproxyEnvironment): string[][] {
  return configReadLines(text, environment).map((read) => read.words);
}

// The lines of `text` that are not in a branch HAProxy skips, with their numbers (a warning names them).
// `environment`: the variables HAProxy starts with (absent: none is known).
// Linear in the text: the open blocks whose branch is skipped are counted as they open and close, not
// looked over at each line (80 000 unclosed `.if 1` before 80 000 lines took 11 s).
export function configReadLines(text: string, environment?: HaproxyEnvironment): ReadLine[] {
  const raw = text.split("\n");
  const lookup = lookupIn(raw, environment);
  const defined = (name: string): Truth => {
    const value = lookup(name);
    return value === null ? null : value !== undefined;
  };
  const evaluate = (exact: readonly ConfigWord[]): Truth => {
    const words = exact.slice(1).flatMap((word) => (word === null ? [] : [word.replaceAll("\0", " ")]));
    return words.length < exact.length - 1 ? null : evaluateCondition(words, defined);
  };
  const read: ReadLine[] = [];
  const open: Branch[] = [];
  let skipped = 0;
  for (const [index, line] of raw.entries()) {
    const exact = haproxyLineWords(line, lookup);
    const first = exact?.[0];
    const directive = exact !== null && typeof first === "string" ? cWord(first) : null;
    if (directive === ".if") {
      const condition = evaluate(exact!);
      open.push({ active: condition, taken: condition });
      if (condition === false) skipped += 1;
    } else if (directive === ".elif" || directive === ".else") {
      const branch = open[open.length - 1];
      if (branch === undefined) continue;
      const condition = directive === ".else" ? true : evaluate(exact!);
      if (branch.active === false) skipped -= 1;
      branch.active = and(not(branch.taken), condition);
      branch.taken = or(branch.taken, condition);
      if (branch.active === false) skipped += 1;
    } else if (directive === ".endif") {
      if (open.pop()?.active === false) skipped -= 1;
    } else if (skipped === 0) read.push({ line: index + 1, words: configWords(line), exact });
  }
  return read;
}

// The keywords of `global` that change HAProxy's environment while it parses (and, in the master, for
// its next reload's parse): a variable they name does not hold what the environment started with.
const SETS_ENVIRONMENT = new Set(["setenv", "presetenv", "unsetenv", "resetenv"]);

// How a variable is known from the text: its value in `environment`, which HAProxy inherits (checked with
// haproxy -c: set, even empty, is defined; unset is not, and expands to nothing), when that is all it
// depends on: not for a `HAPROXY_*` name (HAProxy sets some itself: HAPROXY_LOCALPEER at every parse,
// HAPROXY_MWORKER, HAPROXY_CLI and others in the master's reloads, not in `haproxy -c`), nor for a name a
// setenv, presetenv or unsetenv line names (in any branch: a master's next reload starts with what they
// left); with a resetenv line, or one of those keywords or names not known here, none is. Else null.
function lookupIn(lines: readonly string[], environment: HaproxyEnvironment | undefined): VariableLookup {
  const unknown: VariableLookup = () => null;
  if (environment === undefined) return unknown;
  const inherited: VariableLookup = (name) => (name.startsWith("HAPROXY_") ? null : environment.get(name));
  const changed = new Set<string>();
  for (const line of lines) {
    const words = haproxyLineWords(line, inherited);
    const first = words?.[0];
    if (first === undefined) continue;
    if (first === null) return unknown;
    const keyword = cWord(first);
    if (!SETS_ENVIRONMENT.has(keyword)) continue;
    if (keyword === "resetenv") return unknown;
    for (const name of keyword === "unsetenv" ? words!.slice(1) : words!.slice(1, 2)) {
      if (name === null) return unknown;
      changed.add(cWord(name));
    }
  }
  return (name) => (changed.has(name) ? null : inherited(name));
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
