// The words of the lines of a base config HAProxy may read: the lines of a `.if` / `.elif` / `.else`
// branch HAProxy 2.6 skips are left out when the text and what is known of the environment HAProxy
// inherits (`environment`, the reloader's own) decide it. Each line is cut into words as HAProxy cuts it
// (haproxy-line-words.ts: quotes, escapes, `"$X"`), and a condition is evaluated as HAProxy does
// (config-condition.ts: numbers, `!`, `&&`, `||`, parentheses, `defined(X)`, `streq`, `strneq`, and
// `feature(...)`, `version_atleast(...)`, `version_before(...)` from the binary's build in `self`). A
// condition that cannot be decided here (those without the build, a variable whose value is not known:
// one the config changes, or one HAProxy sets itself to what the reloader cannot know) counts as true:
// its lines are read. The variables HAProxy sets itself are known as haproxySets and reloadOf say. The
// directive lines themselves are left out. Pure and total: unbalanced directives are ignored.
import { evaluateCondition, and, not, or, type Truth } from "./config-condition.js";
import type { HaproxySelf } from "./haproxy-build.js";
import { cWord, haproxyLineWords, type ConfigWord, type VariableLookup } from "./haproxy-line-words.js";
import { haproxySets, INHERITED, RELOAD_SETS, reloadOf } from "./haproxy-set-variables.js";

// One line HAProxy may read: its 1-based number in the text, its text (hard-stop-after.ts reads a word
// not known here as written) and its words as HAProxy cuts them (`exact`: null words are not known
// here; null when HAProxy refuses the line, a fatal error).
export interface ReadLine {
  line: number;
  text: string;
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

// The lines of `text` that are not in a branch HAProxy skips, with their numbers (a warning names them).
// `environment`: the variables HAProxy starts with (absent: none is known); `self`: what HAProxy knows of
// itself (absent: nothing).
// Linear in the text: the open blocks whose branch is skipped are counted as they open and close, not
// looked over at each line (80 000 unclosed `.if 1` before 80 000 lines took 11 s).
export function configReadLines(
  text: string,
  environment?: HaproxyEnvironment,
  self?: HaproxySelf,
): ReadLine[] {
  const raw = text.split("\n");
  return readFrom(raw, lookupIn(raw, environment, self).lookup, "unknown", self).read;
}

// Every reading of `text` HAProxy may make, for a reader that must miss none (clashing-sections.ts: a
// section it misses freezes every change): configReadLines' own and, when a setenv, presetenv, unsetenv or
// resetenv line names a variable or a line names one a reload sees otherwise (HAPROXY_MWORKER...: see
// reloadOf), the one `haproxy -c` makes (the environment as the reloader has it, each
// such line applied where HAProxy reads it) and a master reload's (starting from what that parse left),
// each with such a line in a branch not known here both taken and not. In those readings a variable is
// known before the line that changes it, so `backend "$X"` above `setenv X shop` names X's value in the
// check, and `shop` in a reload. Without such lines, or when what they name is not known: the one.
// Each reading is made when the caller asks for it, so one is held at a time.
export function* configReadings(
  text: string,
  environment?: HaproxyEnvironment,
  self?: HaproxySelf,
): Generator<ReadLine[]> {
  const raw = text.split("\n");
  const { lookup, inherited, changes } = lookupIn(raw, environment, self);
  yield readFrom(raw, lookup, "unknown", self).read;
  if (inherited === null || !changes) return;
  for (const unsure of ["apply", "skip"] as const) {
    const check = readFrom(raw, inherited, unsure, self);
    yield check.read;
    yield readFrom(raw, reloadOf(check.lookup, self), unsure, self).read;
    // With no such line in a branch not known here, taking it as skipped reads the same.
    if (!check.unsure) return;
  }
}

// How a line changing the environment in a branch not known here is taken: its variables become not known,
// or it is taken as read, or as skipped.
type Unsure = "unknown" | "apply" | "skip";

// The lines of `raw` HAProxy reads starting with the variables `inherited` gives, and what the
// environment is after them (`lookup`); `self`: what HAProxy knows of itself.
function readFrom(
  raw: readonly string[],
  inherited: VariableLookup,
  unsure: Unsure,
  self: HaproxySelf | undefined,
): { read: ReadLine[]; lookup: VariableLookup; unsure: boolean } {
  // What the setenv, presetenv, unsetenv and resetenv lines read so far left (HAProxy runs each as it
  // reads it).
  const changes: EnvironmentChanges = { set: new Map(), kept: null };
  const lookup: VariableLookup = (name) => {
    if (changes.set.has(name)) return changes.set.get(name);
    return changes.kept === null || changes.kept.has(name) ? inherited(name) : undefined;
  };
  const defined = (name: string): Truth => {
    const value = lookup(name);
    return value === null ? null : value !== undefined;
  };
  const evaluate = (exact: readonly ConfigWord[]): Truth => {
    const words = exact.slice(1);
    if (words.some((word) => word === null)) return null;
    return evaluateCondition(words.join(" ").replaceAll("\0", " "), defined, self?.build);
  };
  const read: ReadLine[] = [];
  const open: Branch[] = [];
  let skipped = 0;
  // Open blocks whose branch may or may not be read (its condition not known).
  let uncertain = 0;
  // Whether a line changing the environment was met in such a branch.
  let unsureLine = false;
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
      read.push({ line: index + 1, text: line, exact });
      if (exact !== null && SETS_ENVIRONMENT.has(directive ?? "")) {
        if (uncertain > 0) unsureLine = true;
        const sure = uncertain === 0 || unsure === "apply";
        if (sure || unsure === "unknown") applyEnvironmentLine(exact, lookup, sure, changes);
      }
    }
  }
  return { read, lookup, unsure: unsureLine };
}

// What the environment-changing lines read so far left: the variables they set (undefined: unset, null:
// not known), and after a `resetenv`, the names it kept (any other is unset unless set later).
interface EnvironmentChanges {
  set: Map<string, string | undefined | null>;
  kept: Set<string> | null;
}

// The keywords of `global` that change HAProxy's environment while it parses (and, in the master, for
// its next reload's parse): a variable they name does not hold what the environment started with.
const SETS_ENVIRONMENT = new Set(["setenv", "presetenv", "unsetenv", "resetenv"]);

// What a read setenv, presetenv, unsetenv or resetenv line leaves in `changes`: `setenv X v` sets X to v,
// `presetenv X v` sets it when unset, `unsetenv X...` unsets, `resetenv X...` unsets all but those; what
// the line leaves is not known (null) when the line may not be read (`sure` false: in a branch not known)
// or reads what is not known.
function applyEnvironmentLine(
  words: readonly ConfigWord[],
  lookup: VariableLookup,
  sure: boolean,
  changes: EnvironmentChanges,
): void {
  const [keyword, ...rest] = words.map((word) => (word === null ? null : cWord(word)));
  const [name, value] = rest;
  if (keyword === "resetenv") {
    // Only read with every name known and the line sure (lookupIn makes all not known otherwise).
    if (!sure || rest.includes(null)) return;
    const kept = new Map(rest.map((each) => [each!, lookup(each!)]));
    changes.set = kept;
    changes.kept = new Set();
    return;
  }
  if (keyword === "unsetenv") {
    for (const each of rest) if (each !== null) changes.set.set(each, sure ? undefined : null);
    return;
  }
  if (name === null || name === undefined) return;
  const given = value === undefined ? null : value;
  if (keyword === "setenv") changes.set.set(name, sure ? given : null);
  if (keyword === "presetenv") {
    const current = lookup(name);
    changes.set.set(name, !sure || current === null ? null : (current ?? given));
  }
}

// How a variable is known from the text: its value in `environment`, which HAProxy inherits (checked with
// haproxy -c: set, even empty, is defined; unset is not, and expands to nothing), or the one HAProxy sets
// itself before it parses (haproxySets), when that is all it depends on: not for a name a master's reload
// sees otherwise (RELOAD_SETS: HAPROXY_MWORKER...), nor for a name a setenv, presetenv or unsetenv line
// names (in any branch: a master's next reload starts with what they left), until such a line is read
// (configReadLines, applyEnvironmentLine); with a resetenv line, or one of those keywords or names not
// known here, none is. Else null. `inherited`: what `haproxy -c` starts with (null when a keyword or name
// of such a line is not known), and `changes`: whether any such line names one, or a line names a
// variable a reload sees otherwise (then configReadings reads `haproxy -c`'s and a reload's readings).
function lookupIn(
  lines: readonly string[],
  environment: HaproxyEnvironment | undefined,
  self: HaproxySelf | undefined,
): { lookup: VariableLookup; inherited: VariableLookup | null; changes: boolean } {
  const unknown: VariableLookup = () => null;
  if (environment === undefined) return { lookup: unknown, inherited: null, changes: false };
  const inherited: VariableLookup = (name) => {
    const set = haproxySets(name, environment, self);
    return set === INHERITED ? environment.get(name) : set;
  };
  let reloadDiffers = false;
  const changed = new Set<string>();
  let reset = false;
  for (const line of lines) {
    if (!reloadDiffers && line.includes("HAPROXY_"))
      reloadDiffers = RELOAD_SETS.some((name) => line.includes(name));
    const words = haproxyLineWords(line, inherited);
    const first = words?.[0];
    if (first === undefined) continue;
    if (first === null) return { lookup: unknown, inherited: null, changes: false };
    const keyword = cWord(first);
    if (!SETS_ENVIRONMENT.has(keyword)) continue;
    if (keyword === "resetenv") reset = true;
    const named = keyword === "unsetenv" || keyword === "resetenv" ? words!.slice(1) : words!.slice(1, 2);
    for (const name of named) {
      if (name === null) return { lookup: unknown, inherited: null, changes: false };
      changed.add(cWord(name));
    }
  }
  const changes = reset || changed.size > 0 || reloadDiffers;
  if (reset) return { lookup: unknown, inherited, changes };
  const lookup: VariableLookup = (name) =>
    changed.has(name) || RELOAD_SETS.includes(name) ? null : inherited(name);
  return { lookup, inherited, changes };
}
