// The contract's problem list: MAX_PROBLEMS by default (the reloader's reason and log), or the limit a
// caller asks for (the generator's salvage of an old backends file needs every refused line of a block).
// Either way the parse stops once the list is full.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_PROBLEMS, parseSharedFiles } from "../src/index.js";

const refused = (n: number) =>
  `backend app\n${Array.from({ length: n }, (_, i) => `    server s${i} 127.0.0.1\n`).join("")}`;
const lines = (parsed: ReturnType<typeof parseSharedFiles>) =>
  parsed.ok ? [] : parsed.problems.map((problem) => problem.line);

test("a parse lists MAX_PROBLEMS problems by default, as many as asked for otherwise, in line order", () => {
  const backends = refused(50);
  assert.deepEqual(
    lines(parseSharedFiles({ backends, map: "" })),
    Array.from({ length: MAX_PROBLEMS }, (_, i) => i + 2),
  );
  assert.deepEqual(
    lines(parseSharedFiles({ backends, map: "" }, 30)),
    Array.from({ length: 30 }, (_, i) => i + 2),
  );
  assert.deepEqual(
    lines(parseSharedFiles({ backends, map: "" }, 1000)),
    Array.from({ length: 50 }, (_, i) => i + 2),
  );
  // the bytes' path (the reloader's) and the map's problems count against the same limit
  const map = "a b c\n".repeat(10);
  assert.equal(
    lines(parseSharedFiles({ backends: Buffer.from(backends), map: Buffer.from(map) }, 55)).length,
    55,
  );
});

test("a limit that could list no problem is the default one: such a parse would accept any file", () => {
  const backends = refused(30);
  for (const limit of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])
    assert.equal(lines(parseSharedFiles({ backends, map: "" }, limit)).length, MAX_PROBLEMS, String(limit));
});
