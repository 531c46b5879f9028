// An answer read as entries (parseJsonAnswer "entries": splitJsonArray + JsonArrayEntries) gives exactly
// what JSON.parse of the whole answer gives: the same entries when it parses, a refusal (thrown, or an
// entry's failure()) when it does not, however the text is cut into the pieces it was decoded in.
// Random arrays, random edits of them, random cuts, and the tricky cases by hand, cut everywhere.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { JsonArrayEntries, MetadataError, parseJsonAnswer, splitJsonArray } from "../src/index.js";

const URL = "http://127.0.0.1:9/2015-12-19/containers";

type Outcome = { ok: true; value: unknown } | { ok: false };

// What JSON.parse of the whole text gives.
function whole(text: string): Outcome {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

// What reading the text, in these pieces, as entries gives: the entries as an array, or a refusal.
function byEntries(pieces: readonly string[]): Outcome {
  let read: unknown;
  try {
    read = parseJsonAnswer(pieces, URL, "entries");
  } catch (error) {
    assert.ok(error instanceof MetadataError && error.kind === "invalid-json", String(error));
    return { ok: false };
  }
  if (!(read instanceof JsonArrayEntries)) return { ok: true, value: read };
  const entries = Array.from({ length: read.length }, (_, index) => read.at(index));
  const failure = read.failure();
  if (failure === null) return { ok: true, value: entries };
  assert.equal(failure.kind, "invalid-json");
  assert.match(failure.message, /answer is not JSON \(\d+ bytes: /);
  return { ok: false };
}

// The text cut at these positions (in any order, repeats giving empty pieces).
function cut(text: string, positions: readonly number[]): string[] {
  const at = positions.map((position) => position % (text.length + 1)).sort((a, b) => a - b);
  return [0, ...at].map((from, index) => text.slice(from, at[index] ?? text.length));
}

// Same outcome as JSON.parse; and a text that is a JSON array is always read as entries (never the
// whole-parse fallback, which would give the same entries but hold the whole tree).
function assertSame(text: string, pieces: readonly string[] = [text]): void {
  assert.equal(pieces.join(""), text);
  const expected = whole(text);
  assert.deepStrictEqual(byEntries(pieces), expected, JSON.stringify(pieces));
  if (expected.ok && Array.isArray(expected.value))
    assert.notEqual(splitJsonArray(pieces), null, `not read as entries: ${JSON.stringify(pieces)}`);
}

// Whole, cut in two at every position, every character a piece, and with empty pieces around.
function assertSameCutAnywhere(text: string): void {
  assertSame(text);
  for (let at = 0; at <= text.length; at++) assertSame(text, cut(text, [at]));
  assertSame(text, [...text]);
  assertSame(text, ["", ...cut(text, [1, 1, 3]), ""]);
}

test("by hand: empty lists, strings holding brackets, commas and escapes, nesting, whitespace, garbage", () => {
  const texts = [
    "[]",
    " [ ] ",
    "\n[\r\n\t]\n",
    "[1]",
    '[{"a":"],["},{"b":"\\\\"}]',
    '["a\\"",",",  "\\\\\\"]"]',
    '[{"a":{"b":[1,{"c":"}"}]}},[[],[[]]],null,true,1e3,-0.5,"\\u005d"]',
    '[{"__proto__":{"x":1},"name":"p"}]',
    '{"containers":[1,2]}',
    '"[1,2]"',
    "[,]",
    "[1,]",
    "[,1]",
    "[1,,2]",
    "[1 2]",
    "[1][2]",
    "[1],[2]",
    "[1]]",
    "[[1]",
    "[1,2}",
    "{1,2]",
    '["a\\"]',
    '["a]',
    "\u0001[1]",
    "[1]\u0001",
    "\ufeff[1]",
    "[1]\u00a0",
    "[\u00a01]",
    "",
    "   ",
    "[",
    "]",
  ];
  for (const text of texts) assertSameCutAnywhere(text);
  const read = parseJsonAnswer(" [ ] ", URL, "entries");
  assert.ok(read instanceof JsonArrayEntries);
  assert.equal(read.length, 0);
});

test("at() takes negative indexes like Array.prototype.at, and parses anew on each call", () => {
  const read = parseJsonAnswer('[{"a":1}, 2, "x"]', URL, "entries");
  assert.ok(read instanceof JsonArrayEntries);
  assert.deepEqual([read.at(-1), read.at(1), read.at(3), read.at(-4)], ["x", 2, undefined, undefined]);
  assert.notEqual(read.at(0), read.at(0), "nothing parsed is kept");
  assert.equal(read.failure(), null);
});

test("failure() parses the entries not read yet: a bad one is found even when the caller skipped it", () => {
  const read = parseJsonAnswer("[1, 2, nope]", URL, "entries");
  assert.ok(read instanceof JsonArrayEntries);
  assert.equal(read.at(0), 1);
  assert.match(
    String(read.failure()?.message),
    /containers: answer is not JSON \(12 bytes: \[1, 2, nope\]…\)/,
  );
});

test('"value" reading (the default) parses the whole answer, as getJson always did', () => {
  assert.deepEqual(parseJsonAnswer("[1,2]", URL), [1, 2]);
  assert.throws(() => parseJsonAnswer("[1,]", URL), /answer is not JSON/);
  assert.equal(splitJsonArray(['{"a":1}']), null);
});

// Random arrays of JSON values, written compactly or indented.
const arrayText = fc
  .tuple(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), fc.constantFrom(0, 1, 2, "\t", "\r\n"))
  .map(([value, indent]) => JSON.stringify(value, null, indent));

// Where a text is cut into pieces: 0 to 4 positions (taken modulo its length + 1).
const cuts = fc.array(fc.nat(), { maxLength: 4 });

test("random arrays, cut anywhere: the same entries as JSON.parse", () => {
  fc.assert(
    fc.property(arrayText, cuts, (text, at) => assertSame(text, cut(text, at))),
    { numRuns: 2000 },
  );
});

// One edit of a text, by characters that matter to the splitter (and some that do not).
const EDIT_CHARS = ['"', "\\", ",", "[", "]", "{", "}", ":", " ", "\n", "\u0001", "a", "1", "\u00e9"];
const edited = fc
  .tuple(arrayText, fc.nat(), fc.constantFrom("insert", "delete", "replace"), fc.constantFrom(...EDIT_CHARS))
  .map(([text, position, edit, char]) => {
    const at = text.length === 0 ? 0 : position % text.length;
    if (edit === "insert") return text.slice(0, at) + char + text.slice(at);
    if (edit === "delete") return text.slice(0, at) + text.slice(at + 1);
    return text.slice(0, at) + char + text.slice(at + 1);
  });

test("random edits, cut anywhere: accepted exactly when JSON.parse accepts, with the same entries", () => {
  fc.assert(
    fc.property(edited, cuts, (text, at) => assertSame(text, cut(text, at))),
    { numRuns: 5000 },
  );
});
