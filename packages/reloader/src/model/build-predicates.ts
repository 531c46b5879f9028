// The predicates of a `.if` condition that read the HAProxy binary's build (config-condition.ts):
// `feature(name)` in its feature list and `version_atleast(v)` / `version_before(v)` against its version,
// as HAProxy 2.6 evaluates them (cfgcond.c, haproxy.c's split_version), from what `haproxy -vv` shows
// (haproxy-build.ts). Pure and total.
import type { Truth } from "./config-condition.js";

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
