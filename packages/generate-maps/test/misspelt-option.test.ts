// The misspelling check of option labels (misspelt-option.ts) flags the same names as the full edit
// distance table it had before its common prefix and suffix were left out and its rows reused (kept below
// as the reference): exact names, one and two edits of every option, swaps, case and `_`, long names,
// names outside ASCII and seeded random ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LABEL_OPTIONS } from "@rancher-haproxy/core";
import { seededRandom } from "@rancher-haproxy/test-support";
import { misspeltName, misspeltOption } from "../src/model/misspelt-option.js";

const OPTIONS = Object.keys(LABEL_OPTIONS);
const PROXY = ["proxy-protocol"];

// The check as it was at 42e6691: every option's whole 2-row table, a new row per letter.
function referenceName(name: string, names: readonly string[]): string | undefined {
  if (name.length > 32 || name.includes(".") || names.includes(name)) return undefined;
  const normal = name.toLowerCase().replaceAll("_", "-");
  let best: { option: string; distance: number } | undefined;
  for (const option of names) {
    const allowed = option.length >= 7 ? 2 : 1;
    const distance = referenceDistance(normal, option, allowed);
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { option, distance };
  }
  return best?.option;
}

function referenceDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let lowest = i;
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min(substitute, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1);
      current.push(value);
      lowest = Math.min(lowest, value);
    }
    if (lowest > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

// Letters an edit puts in: the options' own, `_`, a dot, a digit, a few outside ASCII (İ lower-cases to
// two units, K is the Kelvin sign, then a surrogate pair's halves).
const LETTERS = [..."abcehiklmnoprstuvxyz-_.0", "İ", "\u212A", "\u00E9", "\uD83D", "\uDE00"];

// Every name one edit from `name`: each letter left out, changed, put in, and each adjacent pair swapped.
function oneEdit(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= name.length; i++) {
    if (i < name.length) out.push(name.slice(0, i) + name.slice(i + 1));
    if (i + 1 < name.length) out.push(name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2));
    for (const letter of LETTERS) {
      out.push(name.slice(0, i) + letter + name.slice(i));
      if (i < name.length) out.push(name.slice(0, i) + letter + name.slice(i + 1));
    }
  }
  return out;
}

// The names looked at: each option and proxy-protocol, one and two edits of them (two edits from a
// sample of the one-edit names), three edits of a few, case and `_` forms, long and random names.
function names(): string[] {
  const random = seededRandom(2026_12_05);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const out = new Set<string>(["", "x", "😀", "a".repeat(32), "a".repeat(33), "İ".repeat(14)]);
  for (const option of [...OPTIONS, ...PROXY]) {
    out.add(option);
    out.add(option.toUpperCase());
    out.add(option.replaceAll("-", "_"));
    out.add(`${option}.internal`);
    out.add(option.repeat(3));
    out.add(`${option}${"x".repeat(32 - option.length)}`);
    const once = oneEdit(option);
    for (const name of once) out.add(name);
    for (let k = 0; k < 30; k++) for (const name of oneEdit(pick(once))) out.add(name);
    for (let k = 0; k < 2000; k++) out.add(pick(oneEdit(pick(oneEdit(pick(once))))));
  }
  const alphabet = [...LETTERS, ..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
  for (let k = 0; k < 20_000; k++) {
    const length = Math.floor(random() * 20);
    out.add(Array.from({ length }, () => pick(alphabet)).join(""));
  }
  return [...out];
}

test("misspeltOption and misspeltName flag the same names, with the same option, as the full table", () => {
  const all = names();
  let flagged = 0;
  for (const name of all) {
    const meant = misspeltOption(name);
    assert.equal(meant, referenceName(name, OPTIONS), `misspeltOption(${JSON.stringify(name)})`);
    assert.equal(misspeltName(name, PROXY), referenceName(name, PROXY), `proxy ${JSON.stringify(name)}`);
    if (meant !== undefined) flagged++;
  }
  // the set holds both kinds in number: the comparison is not one of names nothing flags
  assert.ok(all.length > 100_000, `${all.length} names`);
  assert.ok(flagged > 20_000 && all.length - flagged > 20_000, `${flagged} of ${all.length} flagged`);
});

test("the rows kept between calls grow for a longer option: 32-letter names against a 34-letter one", () => {
  // misspeltName takes any list; a table wider than the rows kept (33) makes longer ones, and the
  // shorter options after it are still read right
  const option = `ab${"c".repeat(30)}yz`;
  const cases = [option.slice(1, -1), `x${option.slice(2, -2)}y`, option.slice(2), option.slice(0, -2)];
  for (const name of cases)
    assert.equal(misspeltName(name, [option]), referenceName(name, [option]), JSON.stringify(name));
  assert.equal(misspeltName(option.slice(1, -1), [option]), option, "two letters off");
  for (const name of oneEdit("timeout-server"))
    assert.equal(misspeltOption(name), referenceName(name, OPTIONS), JSON.stringify(name));
});
