// The label options' value types are read without zod (checkedType's `check`): a container's dozen
// option labels each went through zod's trim and pipe, ≈ 35 % of the generator's reading of them. The
// direct parse must say what the zod schema says, value and refusal alike.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";
import { LABEL_OPTIONS, parseValue, type LabelOptionRow } from "../src/index.js";

const ROWS = Object.entries(LABEL_OPTIONS as Record<string, LabelOptionRow<unknown>>);

// Valid and invalid values of every option, padded, in other cases, empty, and beyond the bounds.
const TEXTS = [
  ...["", " ", "\t", "x", "true", "false", " true ", "TRUE", "False", "1", "0", "yes", "-1", "01", "1.5"],
  ...["allow", "redirect", "only", " only", "ONLY", "Redirect", "none"],
  ...["roundrobin", "leastconn", "source", "first", "LeastConn", " source\t"],
  ...["500ms", "30s", "5m", "1h", "1d", "24d", "25d", " 2s ", "2S", "s", "10x"],
  ...["999999999", "1000000000", "1000000", "1000001", "31536000", " 42 "],
  ...["/", "/api", " /api ", "/api/", "/a/b/c", "/a/b/c/d", "/a b", "/..", "api", `/${"p".repeat(64)}`],
  ...[`/${"p".repeat(65)}`, "/health", `/${"c".repeat(199)}`, `/${"c".repeat(200)}`, "/a?b"],
  ...["www.Example.com, *.example.com", "a.example,a.example", "*.", "bad_name.example", "\u212Aey.com"],
  Array.from({ length: 32 }, (_, i) => `h${i}.example`).join(","),
  Array.from({ length: 33 }, (_, i) => `h${i}.example`).join(","),
];

test("every label option is read without zod, as its zod schema reads it", () => {
  let compared = 0;
  for (const [name, row] of ROWS) {
    assert.equal(typeof row.type.check, "function", `${name}: read through zod`);
    for (const text of TEXTS) {
      const zod = row.type.schema.safeParse(text);
      const expected = zod.success
        ? { ok: true, value: zod.data }
        : { ok: false, reason: `must be ${row.type.accepts}` };
      assert.deepEqual(parseValue(row.type, text), expected, `${name}=${JSON.stringify(text)}`);
      compared += 1;
    }
  }
  assert.equal(compared, ROWS.length * TEXTS.length);
});

// The child loads core's dist (checked fresh), as the generator does.
test("reading every label option's value does not load zod", () => {
  assertBuilt("generate-maps");
  const script =
    `import { createRequire } from "node:module";` +
    `const core = await import(${JSON.stringify(repoPath("packages", "core", "dist", "index.js"))});` +
    `for (const row of Object.values(core.LABEL_OPTIONS)) for (const text of ["1", "true", "/a", "x"])` +
    ` core.parseValue(row.type, text);` +
    `const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/zod/"));` +
    `process.stdout.write(String(loaded.length));`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, "0", "zod's modules were loaded");
});
