import { test } from "node:test";
import assert from "node:assert/strict";
import { createTwoFilesPatch } from "diff";
import { fileDiff, MAX_LOGGED_DIFF_CHARS } from "../src/output/log-diff.js";
import { runInSmallHeap } from "./helpers.js";

const big = Array.from({ length: 5000 }, (_, i) => `host${i}.dev.tld app${i}`).join("\n") + "\n";

test("a created file's diff has the diff package's format", () => {
  for (const content of ["a.dev.tld a\nb.dev.tld b\n", "", "\n", "\n\n", "a\n\nb\n", "a\n", "\na\n", big])
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

// A version where every container's uuid changes: each line of each file changes.
const hosts = (count: number, uuid: string): string =>
  Array.from({ length: count }, (_, i) => `host${i}.dev.tld ${uuid}-${i}`).join("\n") + "\n";

test("too many changed lines are not diffed (it would block the loop for seconds): their counts are logged", () => {
  const counted = " (the line counts alone differ by more than the diff's budget)";
  for (const [previous, content, why] of [
    [hosts(10_000, "old"), hosts(10_000, "new"), ""],
    [hosts(1000, "old"), hosts(11_000, "new"), counted],
  ] as const) {
    const before = previous.split("\n").length - 1;
    const after = content.split("\n").length - 1;
    assert.equal(
      fileDiff("p", previous, content),
      `… too many changed lines to diff: ${before} lines before, ${after} after${why}\n`,
    );
  }
});

test("line counts that alone differ by more than the budget are not diffed at all: 32 MiB of empty lines in a 128 MiB heap", () => {
  // The diff package splits both files into lines before its edit budget applies: 63 MiB of short lines
  // took it 41 s and 2 GB. The counts are enough to know it would give up.
  const run = runInSmallHeap(
    `process.stdout.write(src.fileDiff("p", "\\n".repeat(32 * 1024 * 1024), "a.dev.tld a\\n"));`,
  );
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  assert.equal(
    run.stdout,
    "… too many changed lines to diff: 33554432 lines before, 1 after" +
      " (the line counts alone differ by more than the diff's budget)\n",
  );
});

test("a few hundred changed lines of a large file are still diffed", () => {
  const previous = hosts(10_000, "old");
  const content = previous.replace(/ old-(\d*0)$/gm, (match, i: string) =>
    Number(i) < 3000 ? ` new-${i}` : match,
  );
  const diff = fileDiff("p", previous, content, Number.POSITIVE_INFINITY);
  assert.equal(diff.split("\n").filter((line) => line.startsWith("+host")).length, 300);
  assert.equal(diff, createTwoFilesPatch("p", "p", previous, content, "before", "after"));
});
