// FirstLines (the parsers' "declared twice (first on line N)"): names listed while they come in increasing
// order, a map from the first one out of order on; the answers are a map's in every order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FirstLines } from "../src/contract/first-lines.js";

// What a plain map answers for the same calls.
function reference(names: readonly string[]): (number | undefined)[] {
  const map = new Map<string, number>();
  return names.map((name, index) => {
    const first = map.get(name);
    if (first === undefined) map.set(name, index + 1);
    return first;
  });
}

function firstLines(names: readonly string[]): (number | undefined)[] {
  const seen = new FirstLines();
  return names.map((name, index) => {
    const first = seen.lineOf(name);
    seen.add(name, index + 1);
    return first;
  });
}

test("names in increasing order are all new; a repeat after them names its first line", () => {
  const names = ["a", "b", "c", "b", "d", "a", "e", "e"];
  assert.deepEqual(firstLines(names), reference(names));
  assert.deepEqual(firstLines(names), [undefined, undefined, undefined, 2, undefined, 1, undefined, 7]);
});

test("a name out of order that is new, then repeats of names seen before and after it", () => {
  const names = ["m", "n", "c", "x", "c", "n", "x", "z", "a", "z"];
  assert.deepEqual(firstLines(names), reference(names));
});

test("code-unit order, as the generator sorts: upper case before lower, `-` before digits", () => {
  const names = ["A", "a", "a-1", "a0", "a-1", "A"];
  assert.deepEqual(firstLines(names), [undefined, undefined, undefined, undefined, 3, 1]);
});

test("add keeps the first line of a name added twice without asking", () => {
  const seen = new FirstLines();
  seen.add("a", 1);
  seen.add("b", 2);
  seen.add("a", 3);
  seen.add("b", 4);
  assert.equal(seen.lineOf("a"), 1);
  assert.equal(seen.lineOf("b"), 2);
  assert.equal(seen.lineOf("c"), undefined);
});

// firstOf: lineOf and add in one call.
function firstOfs(names: readonly string[]): (number | undefined)[] {
  const seen = new FirstLines();
  return names.map((name, index) => seen.firstOf(name, index + 1));
}

test("random name lists: the same answers as a map", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let round = 0; round < 500; round++) {
    const sorted = round % 2 === 0;
    const names = Array.from({ length: next() % 40 }, () => `n${next() % 30}`);
    if (sorted) names.sort();
    assert.deepEqual(firstLines(names), reference(names), names.join(" "));
    assert.deepEqual(firstOfs(names), reference(names), names.join(" "));
  }
});
