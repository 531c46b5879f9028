// An answer read as entries (parseJsonAnswer "entries": findCompactEntries or splitJsonArray, then
// JsonArrayEntries) gives exactly what JSON.parse of the whole answer, decoded as UTF-8, gives: the same
// entries when it parses, a refusal (thrown, or an entry's failure()) when it does not, however its bytes
// are cut into the chunks they arrived in (inside characters too). Random arrays, compact lists of objects
// with `},{` in their strings and nested lists, random edits of them (bytes that are not UTF-8
// included), random cuts, and the tricky cases by hand, cut everywhere.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  findCompactEntries,
  JsonArrayEntries,
  MAX_ARRAY_ENTRIES,
  MAX_ENTRY_BYTES,
  jsonShapeProblem,
  MAX_JSON_DEPTH,
  MAX_JSON_VALUES,
  MetadataError,
  nestsDeeperThan,
  OversizedEntry,
  parseJsonAnswer,
  splitJsonArray,
} from "../src/index.js";

const URL = "http://127.0.0.1:9/2015-12-19/containers";

type Outcome = { ok: true; value: unknown } | { ok: false };

// What JSON.parse of the whole body, decoded as UTF-8, gives.
function whole(bytes: Buffer): Outcome {
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) as unknown };
  } catch {
    return { ok: false };
  }
}

// What reading the body, in these pieces, as entries gives: the entries as an array, or a refusal.
function byEntries(pieces: readonly Uint8Array[]): Outcome {
  let read: unknown;
  try {
    read = parseJsonAnswer(pieces, URL, "entries");
  } catch (error) {
    assert.ok(error instanceof MetadataError && error.kind === "invalid-json", String(error));
    return { ok: false };
  }
  if (!(read instanceof JsonArrayEntries)) return { ok: true, value: read };
  const entries = [...read];
  const failure = read.failure();
  if (failure === null) return { ok: true, value: entries };
  assert.equal(failure.kind, "invalid-json");
  assert.match(failure.message, /answer is not JSON \(\d+ bytes: /);
  return { ok: false };
}

// The body's bytes (a text as UTF-8) cut at these byte positions (in any order, repeats giving empty
// pieces).
function cut(body: string | Buffer, positions: readonly number[]): Buffer[] {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const at = positions.map((position) => position % (bytes.length + 1)).sort((a, b) => a - b);
  return [0, ...at].map((from, index) => bytes.subarray(from, at[index] ?? bytes.length));
}

// Same outcome as JSON.parse; and a body that is a JSON array is always read as entries (never the
// whole-parse fallback, which would give the same entries but hold the whole tree).
function assertSame(body: string | Buffer, pieces: readonly Uint8Array[] = cut(body, [])): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const shown = JSON.stringify(pieces.map((piece) => Buffer.from(piece).toString("hex")));
  assert.ok(Buffer.concat(pieces).equals(bytes));
  const expected = whole(bytes);
  assert.deepStrictEqual(byEntries(pieces), expected, shown);
  if (expected.ok && Array.isArray(expected.value))
    assert.notEqual(splitJsonArray(pieces), null, `not read as entries: ${shown}`);
}

// Whole, cut in two at every byte, every byte a piece, and with empty pieces around.
function assertSameCutAnywhere(text: string | Buffer): void {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  assertSame(bytes);
  for (let at = 0; at <= bytes.length; at++) assertSame(bytes, cut(bytes, [at]));
  assertSame(
    bytes,
    [...bytes].map((byte) => Uint8Array.of(byte)),
  );
  assertSame(bytes, [new Uint8Array(0), ...cut(bytes, [1, 1, 3]), new Uint8Array(0)]);
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
    '["caf\u00e9 \u20ac \ud83d\ude00"]',
    '["café € 😀",{"é":"]"},"€,"]',
    "[1,€]",
  ];
  for (const text of texts) assertSameCutAnywhere(text);
  // Bytes that are not UTF-8: inside a string they decode to U+FFFD, as a whole decode would; outside
  // one the answer is not JSON either way; a UTF-8 BOM is refused, as JSON.parse of the whole refuses it.
  const bytes = [
    Buffer.concat([Buffer.from('["a'), Buffer.from([0xc3]), Buffer.from('",1]')]),
    Buffer.concat([
      Buffer.from('["'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('","'),
      Buffer.from([0xff]),
      Buffer.from('"]'),
    ]),
    Buffer.concat([Buffer.from("[1,"), Buffer.from([0xc3]), Buffer.from(",2]")]),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("[1]")]),
    Buffer.concat([
      Buffer.from('["'),
      Buffer.from([0xf0, 0x9f, 0x98]),
      Buffer.from('",'),
      Buffer.from([0x80]),
      Buffer.from("]"),
    ]),
  ];
  for (const body of bytes) assertSameCutAnywhere(body);
  const read = parseJsonAnswer(" [ ] ", URL, "entries");
  assert.ok(read instanceof JsonArrayEntries);
  assert.deepEqual([...read], []);
});

test("by hand: compact lists of objects, cut at `},{` first, with `},{` in strings and nested lists", () => {
  const texts = [
    "[{},{}]",
    '[{"a":1},{"b":2},{"c":3}]',
    '[{"a":"},{"},{"b":"},{"}]',
    '[{"a":"x\\\\"},{"b":"\\"},{\\""}]',
    '[{"a":[{"x":1},{"y":2}]},{"b":[{},{}]}]',
    '[{"a":1},{"b":{"c":{},"d":{}}},{"e":[{"f":"},{"}]}]',
    '[{"a":1}, {"b":2}]',
    '[ {"a":1},{"b":2} ]',
    '[{"a":1},2,{"b":3},{"c":4}]',
    '[{"a":1},{"b":2},]',
    '[,{"a":1},{"b":2}]',
    '[{"a":1},{]',
    '[{"a":1},{"b":2}]]',
    '[[{"a":1},{"b":2}]',
    '[{"a":1}},{"b":2}]',
    '[{"a":1},{"b":2}}]',
    '[{"a":1},{"b":"},{]',
    '[{"a":"},{"]',
    "[},{]",
    "[{},{}][{},{}]",
    '{"a":[{},{}]}',
  ];
  for (const text of texts) assertSameCutAnywhere(text);
  // Cut at every `},{` between the brackets, whatever it sits in (tentative), or not at all.
  assert.equal(findCompactEntries([Buffer.from('[{"a":"},{"},{}]')])?.count, 3);
  assert.equal(findCompactEntries([Buffer.from('[{"a":1}, {"b":2}]')]), null);
  assert.equal(findCompactEntries([Buffer.from('{"a":[{},{}]}')]), null);
  // However the bytes are cut, also inside a `},{`: the same cuts as the whole.
  const list = Buffer.from(' [{"a":1},{},{"b":[{},{}]}] ');
  const whole = findCompactEntries([list]);
  const ends = (slices: typeof whole) => (slices ? [...slices.ends.subarray(0, slices.count)] : []);
  assert.deepEqual(ends(whole), [9, 12, 21, 26], "the nested `},{` too: tentative");
  const cuts = [...Array(list.length + 1).keys()].map((at) => cut(list, [at]));
  for (const pieces of [...cuts, [...list].map((byte) => Uint8Array.of(byte)), cut(list, [9, 9, 10, 12])])
    assert.deepEqual(ends(findCompactEntries(pieces)), ends(whole), JSON.stringify(pieces.map(String)));
});

test("the entries are read in order, each parsed anew on each pass", () => {
  for (const text of ['[{"a":1},{"b":2},{"c":3}]', '[{"a":1}, 2, "x"]']) {
    const read = parseJsonAnswer(text, URL, "entries");
    assert.ok(read instanceof JsonArrayEntries);
    const [first, second] = [[...read], [...read]];
    assert.deepEqual(first, JSON.parse(text));
    assert.deepEqual(second, first);
    assert.notEqual(first[0], second[0], "nothing parsed is kept");
    assert.equal(read.failure(), null);
  }
});

test("failure() parses the entries not read yet: a bad one is found even when the caller skipped it", () => {
  const read = parseJsonAnswer("[1, 2, nope]", URL, "entries");
  assert.ok(read instanceof JsonArrayEntries);
  assert.equal(read[Symbol.iterator]().next().value, 1);
  assert.match(
    String(read.failure()?.message),
    /containers: answer is not JSON \(12 bytes: \[1, 2, nope\]…\)/,
  );
});

test("past MAX_ARRAY_ENTRIES a pass stops and failure() says too-large, whether the pass reached it or not", () => {
  assert.equal(MAX_ARRAY_ENTRIES, 250_000);
  const entries = (text: string, max: number) => {
    const pieces = [Buffer.from(text)];
    const compact = findCompactEntries(pieces);
    return compact === null
      ? new JsonArrayEntries(pieces, splitJsonArray(pieces) ?? assert.fail("an array"), URL, "exact", max)
      : new JsonArrayEntries(pieces, compact, URL, "tentative", max);
  };
  for (const text of ["[0,0,0,0]", "[{},{},{},{}]"]) {
    const read = entries(text, 3);
    assert.equal([...read].length, 3, `${text}: the pass stops at the cap`);
    assert.equal(read.failure()?.kind, "too-large");
    assert.match(String(read.failure()?.message), /containers: answer has more than 3 entries$/);
    const unread = entries(text, 3);
    assert.equal(unread.failure()?.kind, "too-large", `${text}: failure() alone counts too`);
    assert.equal(entries(text, 4).failure(), null, `${text}: at the cap is fine`);
  }
  // Not JSON and too many: the first problem in order is reported.
  assert.equal(entries("[0,nope,0,0]", 3).failure()?.kind, "invalid-json");
});

test("the splitters stop one entry past MAX_ARRAY_ENTRIES: a huge list is refused without recording every boundary first", () => {
  const over = MAX_ARRAY_ENTRIES + 50_000;
  for (const [text, split] of [
    [`[${"0,".repeat(over)}0]`, splitJsonArray],
    [`[${"{},".repeat(over)}{}]`, findCompactEntries],
    [`[${"{},".repeat(over)}{}]`, splitJsonArray],
  ] as const) {
    const slices = split([Buffer.from(text)]);
    assert.equal(slices?.count, MAX_ARRAY_ENTRIES + 1, "one end past the cap, no more");
    assert.ok((slices?.ends.length ?? 0) <= 2 * (MAX_ARRAY_ENTRIES + 1), "its ends array stops growing too");
    const read = parseJsonAnswer(text, URL, "entries");
    assert.ok(read instanceof JsonArrayEntries);
    assert.equal(read.failure()?.kind, "too-large");
  }
  // At the cap every entry is read.
  const full = parseJsonAnswer(`[${"0,".repeat(MAX_ARRAY_ENTRIES - 1)}0]`, URL, "entries");
  assert.ok(full instanceof JsonArrayEntries);
  assert.equal([...full].length, MAX_ARRAY_ENTRIES);
  assert.equal(full.failure(), null);
});

test("an answer parsed whole that nests deeper than MAX_JSON_DEPTH is refused (too-large) before JSON.parse builds it", () => {
  assert.equal(MAX_JSON_DEPTH, 512);
  const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
  // 200 000 levels: ≈ 6 MB of heap to build (an 8 MB body took 227 MB).
  for (const body of [deep(200_000), `{"a":${deep(200_000)}}`]) {
    assert.throws(
      () => parseJsonAnswer(body, URL),
      (error) =>
        error instanceof MetadataError &&
        error.kind === "too-large" &&
        /nests deeper than 512/.test(error.message),
    );
  }
  assert.deepEqual(parseJsonAnswer(`{"a":${deep(511)}}`, URL), { a: JSON.parse(deep(511)) as unknown });
  assert.equal(nestsDeeperThan(`"${"[".repeat(600)}"`), false, "inside a string");
  assert.equal(
    nestsDeeperThan(`["\\\\"${"[".repeat(600)}`),
    true,
    "after an escaped backslash the string ended",
  );
  assert.equal(nestsDeeperThan(`["\\"${"[".repeat(600)}`), false, "an escaped quote does not end the string");
});

test("an answer parsed whole with more than MAX_JSON_VALUES values is refused (too-large) before JSON.parse builds it", () => {
  assert.equal(MAX_JSON_VALUES, 1_000_000);
  const wide = (count: number) => `[${"{},".repeat(count - 1)}{}]`;
  // A 64 MiB `[{},{},…]` as /version took 1.44 GB of heap; 1 000 001 objects here.
  for (const body of [wide(1_000_001), `{"a":${wide(500_000)},"b":[${"0,".repeat(500_001)}0]}`]) {
    assert.throws(
      () => parseJsonAnswer(body, URL),
      (error) =>
        error instanceof MetadataError &&
        error.kind === "too-large" &&
        /holds more than 1000000 values/.test(error.message),
    );
  }
  // At the cap it parses; commas and brackets inside strings are not values.
  assert.equal((parseJsonAnswer(`[${"0,".repeat(999_998)}0]`, URL) as unknown[]).length, 999_999);
  assert.equal(jsonShapeProblem(`"${",".repeat(2_000_000)}"`), null, "inside a string");
  assert.equal(jsonShapeProblem(`[${"[],".repeat(10)}[]]`, 512, 10), "wide");
  assert.equal(jsonShapeProblem(`[${"[],".repeat(3)}[]]`, 512, 10), null);
});

test("an entry over MAX_ENTRY_BYTES is not parsed: an OversizedEntry in its place, the others read, the answer not failed", () => {
  assert.equal(MAX_ENTRY_BYTES, 1024 * 1024);
  const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
  const bomb = deep(600_000); // 1.2 MB that JSON.parse would build into ≈ 34 MB
  for (const body of [`[{"a":1},${bomb},{"b":2}]`, `[{"a":1},{"x":${bomb}},{"b":2}]`]) {
    const read = parseJsonAnswer(body, URL, "entries");
    assert.ok(read instanceof JsonArrayEntries);
    const [first, big, last] = [...read];
    assert.deepEqual([first, last], [{ a: 1 }, { b: 2 }]);
    assert.ok(
      big instanceof OversizedEntry && big.bytes > MAX_ENTRY_BYTES && big.maxBytes === MAX_ENTRY_BYTES,
    );
    assert.equal(read.failure(), null);
  }
  // Just under the cap, deep or not, an entry is parsed as before (the model skips what it finds wrong).
  const under = parseJsonAnswer(`[${deep(10_000)},{"b":2}]`, URL, "entries");
  assert.ok(under instanceof JsonArrayEntries);
  const [deepest, after] = [...under];
  assert.ok(Array.isArray(deepest) && Array.isArray(deepest[0]), "the deep entry was parsed");
  assert.deepEqual(after, { b: 2 });
});

test('"value" reading (the default) parses the whole answer, as getJson always did', () => {
  assert.deepEqual(parseJsonAnswer("[1,2]", URL), [1, 2]);
  assert.throws(() => parseJsonAnswer("[1,]", URL), /answer is not JSON/);
  assert.equal(splitJsonArray([Buffer.from('{"a":1}')]), null);
});

// Random arrays of JSON values (strings of any code points, so multi-byte characters that chunk cuts
// fall inside), written compactly or indented.
const arrayText = fc
  .tuple(
    fc.array(fc.jsonValue({ maxDepth: 3, stringUnit: "binary" }), { maxLength: 6 }),
    fc.constantFrom(0, 1, 2, "\t", "\r\n"),
  )
  .map(([value, indent]) => JSON.stringify(value, null, indent));

// Random compact lists of objects (what findCompactEntries cuts), their strings and nested values often
// holding `},{`, quotes and backslashes, and nested lists of objects.
const tricky = fc.constantFrom("},{", '"},{"', "\\", '\\"},{', "}", "{", ",");
const objectListText = fc
  .array(
    fc.dictionary(
      fc.oneof(fc.string(), tricky),
      fc.oneof(
        fc.jsonValue({ maxDepth: 2, stringUnit: "binary" }),
        tricky,
        fc.array(fc.dictionary(fc.string(), fc.oneof(fc.integer(), tricky)), { maxLength: 3 }),
      ),
      { maxKeys: 4 },
    ),
    { maxLength: 6 },
  )
  .map((list) => JSON.stringify(list));

// Where a text is cut into pieces: 0 to 4 positions (taken modulo its length + 1).
const cuts = fc.array(fc.nat(), { maxLength: 4 });

test("random arrays, cut anywhere: the same entries as JSON.parse", () => {
  fc.assert(
    fc.property(arrayText, cuts, (text, at) => assertSame(text, cut(text, at))),
    { numRuns: 2000 },
  );
});

test("random compact lists of objects, cut anywhere: the same entries as JSON.parse", () => {
  fc.assert(
    fc.property(objectListText, cuts, (text, at) => assertSame(text, cut(text, at))),
    { numRuns: 2000 },
  );
});

// One edit of a body's bytes, by bytes that matter to the splitter, some that do not, and some that make
// it not UTF-8 (a lead byte without its continuation, a stray continuation, bytes never in UTF-8).
const EDIT_BYTES = [...'"\\,[]{}: \n\u0001a1']
  .map((char) => char.charCodeAt(0))
  .concat(0xc3, 0xa9, 0x80, 0xe2, 0xf0, 0xff);
const edited = fc
  .tuple(
    fc.oneof(arrayText, objectListText),
    fc.nat(),
    fc.constantFrom("insert", "delete", "replace"),
    fc.constantFrom(...EDIT_BYTES),
  )
  .map(([text, position, edit, byte]) => {
    const bytes = Buffer.from(text);
    const at = bytes.length === 0 ? 0 : position % bytes.length;
    const [before, after] = [bytes.subarray(0, at), bytes.subarray(edit === "insert" ? at : at + 1)];
    return Buffer.concat([before, edit === "delete" ? Buffer.alloc(0) : Uint8Array.of(byte), after]);
  });

test("random edits, cut anywhere: accepted exactly when JSON.parse accepts, with the same entries", () => {
  fc.assert(
    fc.property(edited, cuts, (body, at) => assertSame(body, cut(body, at))),
    { numRuns: 5000 },
  );
});
