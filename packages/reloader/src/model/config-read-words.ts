// The words of the lines of a base config HAProxy may read: the lines of a `.if` / `.elif` / `.else`
// branch HAProxy 2.6 skips are left out when the text and what is known of the environment HAProxy
// inherits (`environment`, the reloader's own) decide it. Each line is cut into words as HAProxy cuts it
// (haproxy-line-words.ts: quotes, escapes, `"$X"`), and a condition is evaluated as HAProxy does
// (config-condition.ts: numbers, `!`, `&&`, `||`, parentheses, `defined(X)`, `streq`, `strneq`). A
// condition that cannot be decided here (`feature(...)`, `version_atleast(...)`, a variable HAProxy sets
// itself or the config changes) counts as true: its lines are read. The directive lines themselves are
// left out. Pure and total: unbalanced directives are ignored.
import { evaluateCondition, and, not, or, type Truth } from "./config-condition.js";
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
  const inherited = lookupIn(raw, environment);
  // What the setenv, presetenv and unsetenv lines read so far left (HAProxy runs each as it reads it).
  const changes = new Map<string, string | undefined | null>();
  const lookup: VariableLookup = (name) => (changes.has(name) ? changes.get(name) : inherited(name));
  const defined = (name: string): Truth => {
    const value = lookup(name);
    return value === null ? null : value !== undefined;
  };
  const evaluate = (exact: readonly ConfigWord[]): Truth => {
    const words = exact.slice(1);
    if (words.some((word) => word === null)) return null;
    return evaluateCondition(words.join(" ").replaceAll("\0", " "), defined);
  };
  const read: ReadLine[] = [];
  const open: Branch[] = [];
  let skipped = 0;
  // Open blocks whose branch may or may not be read (its condition not known).
  let uncertain = 0;
  for (const [index, line] of raw.entries()) {
    const exact = haproxyLineWords(line, lookup);
    const first = exact?.[0];
    const directive = exact !== null && typeof first === "string" ? cWord(first) : null;
    if (directive === ".if") {
      const condition = evaluate(exact!);
      open.push({ active: condition, taken: condition });
      if (condition === false) skipped += 1;
      if (condition === null) uncertain += 1;
    } else if (directive === ".elif" || directive === ".else") {
      const branch = open[open.length - 1];
      if (branch === undefined) continue;
      const condition = directive === ".else" ? true : evaluate(exact!);
      if (branch.active === false) skipped -= 1;
      if (branch.active === null) uncertain -= 1;
      branch.active = and(not(branch.taken), condition);
      branch.taken = or(branch.taken, condition);
      if (branch.active === false) skipped += 1;
      if (branch.active === null) uncertain += 1;
    } else if (directive === ".endif") {
      const closed = open.pop();
      if (closed?.active === false) skipped -= 1;
      if (closed?.active === null) uncertain -= 1;
    } else if (skipped === 0) {
      read.push({ line: index + 1, words: configWords(line), exact });
      if (exact !== null && SETS_ENVIRONMENT.has(directive ?? "")) {
        applyEnvironmentLine(exact, lookup, uncertain === 0, changes);
      }
    }
  }
  return read;
}

// The keywords of `global` that change HAProxy's environment while it parses (and, in the master, for
// its next reload's parse): a variable they name does not hold what the environment started with.
const SETS_ENVIRONMENT = new Set(["setenv", "presetenv", "unsetenv", "resetenv"]);

// What a read setenv, presetenv or unsetenv line leaves in `changes`: `setenv X v` sets X to v, `presetenv
// X v` sets it when unset, `unsetenv X...` unsets; what the line leaves is not known (null) when the line
// may not be read (`sure` false: in a branch not known) or reads what is not known.
function applyEnvironmentLine(
  words: readonly ConfigWord[],
  lookup: VariableLookup,
  sure: boolean,
  changes: Map<string, string | undefined | null>,
): void {
  const [keyword, ...rest] = words.map((word) => (word === null ? null : cWord(word)));
  const [name, value] = rest;
  if (keyword === "unsetenv") {
    for (const each of rest) if (each !== null) changes.set(each, sure ? undefined : null);
    return;
  }
  if (name === null || name === undefined) return;
  const given = value === undefined ? null : value;
  if (keyword === "setenv") changes.set(name, sure ? given : null);
  if (keyword === "presetenv") {
    const current = lookup(name);
    changes.set(name, !sure || current === null ? null : (current ?? given));
  }
}

// How a variable is known from the text: its value in `environment`, which HAProxy inherits (checked with
// haproxy -c: set, even empty, is defined; unset is not, and expands to nothing), when that is all it
// depends on: not for a `HAPROXY_*` name (HAProxy sets some itself: HAPROXY_LOCALPEER at every parse,
// HAPROXY_MWORKER, HAPROXY_CLI and others in the master's reloads, not in `haproxy -c`), nor for a name a
// setenv, presetenv or unsetenv line names (in any branch: a master's next reload starts with what they
// left), until such a line is read (configReadLines, applyEnvironmentLine); with a resetenv line, or one
// of those keywords or names not known here, none is. Else null.
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
