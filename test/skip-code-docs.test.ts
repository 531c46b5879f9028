// generate-maps' README "Skip reasons" table names exactly the model's skip codes (SKIP_CODES, which
// /explain, the skipped metrics and the log lines use): this fails when a code is added or renamed
// without its row, or a row names a code the model never gives.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SKIP_CODES } from "../packages/generate-maps/src/model/reasons.ts";
import { ROOT } from "./helpers/deploy-files.ts";

test("generate-maps' README lists exactly the skip codes of the model", () => {
  const readme = readFileSync(join(ROOT, "packages/generate-maps/README.md"), "utf8");
  const start = readme.indexOf("\n## Skip reasons\n");
  assert.notEqual(start, -1);
  const lines = readme.slice(start).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith("|"));
  const listed = lines
    .slice(first + 2, end)
    .map((row) => /^\| `([a-z-]+)` \|/.exec(row)?.[1] ?? `unreadable row: ${row.slice(0, 60)}`);
  assert.deepEqual([...listed].sort(), Object.keys(SKIP_CODES).sort());
});
