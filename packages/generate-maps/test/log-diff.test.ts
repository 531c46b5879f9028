import { test } from "node:test";
import assert from "node:assert/strict";
import { createTwoFilesPatch } from "diff";
import { fileDiff, MAX_LOGGED_DIFF_CHARS } from "../src/output/log-diff.js";

const big = Array.from({ length: 5000 }, (_, i) => `host${i}.dev.tld app${i}`).join("\n") + "\n";

test("a created file's diff has the diff package's format", () => {
  for (const content of ["a.dev.tld a\nb.dev.tld b\n", "", "\n", "\n\n", "a\n\nb\n", "a\n", big])
    assert.equal(
      fileDiff("p", null, content, Number.POSITIVE_INFINITY),
      createTwoFilesPatch("p", "p", "", content, "(none)", "after"),
      JSON.stringify(content.slice(0, 40)),
    );
});

test("a large diff is cut at the limit and says how many lines were left out", () => {
  for (const previous of [null, "x\n"]) {
    const diff = fileDiff("p", previous, big);
    assert.ok(diff.length <= MAX_LOGGED_DIFF_CHARS + 64, `${diff.length}`);
    const match = /… (\d+) more diff lines not logged\n$/.exec(diff);
    assert.ok(match, diff.slice(-80));
    const shown = diff.split("\n").filter((line) => line.startsWith("+host")).length;
    assert.equal(shown + Number(match[1]), 5000);
    // What is shown is the start of the whole diff, cut at a line.
    const whole = fileDiff("p", previous, big, Number.POSITIVE_INFINITY);
    assert.ok(whole.startsWith(diff.slice(0, diff.lastIndexOf("\n…") + 1)), diff.slice(-80));
  }
});

test("a small change of a large file is logged whole", () => {
  const diff = fileDiff("p", big.replace("host1.dev.tld", "hostx.dev.tld"), big);
  assert.match(diff, /^-hostx\.dev\.tld app1$/m);
  assert.match(diff, /^\+host1\.dev\.tld app1$/m);
  assert.doesNotMatch(diff, /not logged/);
});
