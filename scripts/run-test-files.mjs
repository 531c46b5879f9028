#!/usr/bin/env node
// Runs the compiled test files given, in the order given, `--concurrency=N` at a time, with node:test's
// run(), and prints their results as TAP; exits 1 when a test or a file failed. Used by run-tests.mjs
// instead of `node --test`, which (Node 20) sorts the files it is given by path: the order run-tests.mjs
// chose was lost, and the whole run ended with the long end-to-end files of test/, started last (the
// last 40 s of a run on CI's two cores were ≈ 75 % idle). Each file runs in a process of its own, as
// under `node --test`, and fails when it has not ended within 300 s (what `--test-timeout=300000` did to
// a file under `node --test` in Node 20: its own processes ignore the flag).
import { run } from "node:test";
import { tap } from "node:test/reporters";

const args = process.argv.slice(2);
const concurrency = Number(/^--concurrency=(\d+)$/.exec(args[0] ?? "")?.[1]);
const files = args.slice(1);
if (!(concurrency >= 1) || files.length === 0) {
  console.error("usage: run-test-files.mjs --concurrency=N <file>...");
  process.exit(2);
}
let failed = false;
const stream = run({ files, concurrency, timeout: 300_000 });
stream.on("test:fail", () => {
  failed = true;
});
stream.compose(tap).pipe(process.stdout);
stream.on("close", () => {
  process.exitCode = failed ? 1 : 0;
});
