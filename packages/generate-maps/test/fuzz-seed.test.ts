// FUZZ_SEED, the fuzz test's replay of a run (fuzz-support/fuzz-seed.ts): a seed as fast-check prints it
// is taken as written; anything else fails naming the variable and the value.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fuzzSeed } from "./fuzz-support/fuzz-seed.js";

test("FUZZ_SEED takes a seed as fast-check prints it: a decimal 32-bit integer", () => {
  for (const [text, seed] of [
    ["-2005826920", -2005826920],
    ["0", 0],
    ["2", 2],
    ["2147483647", 2 ** 31 - 1],
    ["-2147483648", -(2 ** 31)],
  ] as const)
    assert.equal(fuzzSeed(text), seed, text);
  for (const unset of [undefined, ""]) {
    const seed = fuzzSeed(unset);
    assert.ok(Number.isInteger(seed) && seed >= -(2 ** 31) && seed < 2 ** 31, `${unset}: ${seed}`);
  }
});

// Number() read a blank as seed 0 and `0x10`, `1e3`, `+5` or ` 7 ` as another spelling of a seed: a run
// asked for with a mistyped value replayed some other run without a word.
test("any other FUZZ_SEED fails naming the variable and the value", () => {
  for (const text of [
    " ",
    "abc",
    "0x10",
    "1e3",
    "1.0",
    "+5",
    " 7 ",
    "-0",
    "2147483648",
    "-2147483649",
    "1_000",
  ])
    assert.throws(
      () => fuzzSeed(text),
      {
        message: `FUZZ_SEED must be a 32-bit integer (as fast-check prints it), not ${JSON.stringify(text)}`,
      },
      JSON.stringify(text),
    );
});
