// Neither program loads zod (value types and metadata shapes are plain checks: zod cost every start ≈ 55 ms
// of CPU): not for --help or an unknown flag, not for a refused value (which a start parses like every
// other), not for label values; and no built module or bundle imports it (zod is a development dependency,
// absent from the image).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";

// Says on stderr whether zod was loaded: as an ES module (resolve hook) or required (at exit).
const ZOD = String.raw`/[\\/]node_modules[\\/]zod[\\/]/`;
const HOOK = `data:text/javascript,${encodeURIComponent(
  `export async function resolve(s, c, next) { if (/^zod($|\\/)/.test(s)) process.stderr.write("loaded zod (import)\\n"); return next(s, c); }`,
)}`;
const PRELOAD =
  `import { createRequire, register } from "node:module"; register(${JSON.stringify(HOOK)});` +
  `process.on("exit", () => { if (Object.keys(createRequire("/").cache).some((k) => ${ZOD}.test(k)))` +
  ` process.stderr.write("loaded zod (require)\\n"); });`;

function run(program: "reloader" | "generate-maps", argv: string[]) {
  assertBuilt(program);
  const bin = repoPath("packages", program, "bin", `${program}.js`);
  return spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(PRELOAD)}`, bin, ...argv],
    { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "" } },
  );
}

test("--help, an unknown flag and a refused value load no zod", () => {
  for (const program of ["reloader", "generate-maps"] as const) {
    const help = run(program, ["--help"]);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /--log-level/);
    assert.doesNotMatch(help.stderr, /loaded zod/, `${program} --help`);
    const unknown = run(program, ["--no-such-flag"]);
    assert.equal(unknown.status, 2, unknown.stderr);
    assert.match(unknown.stderr, /no-such-flag/);
    assert.doesNotMatch(unknown.stderr, /loaded zod/, `${program} --no-such-flag`);
    const refused = run(program, ["--log-level", "loud"]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`^${program}: .*must be fatal, error, warn, info, debug, trace or silent`, "m"),
    );
    assert.doesNotMatch(refused.stderr, /loaded zod/, `${program} --log-level loud`);
  }
});

// The child loads core's dist (checked fresh), as the programs do.
test("parsing every option's and every label option's value loads no zod", () => {
  assertBuilt("generate-maps");
  const script =
    `import { createRequire } from "node:module";` +
    `const core = await import(${JSON.stringify(repoPath("packages", "core", "dist", "index.js"))});` +
    `const rows = [...Object.values(core.OPTION_TABLE), ...Object.values(core.LABEL_OPTIONS)];` +
    `for (const row of rows) for (const text of ["1", "true", "/a", "x", "dev.tld", " 80 ", ""])` +
    ` core.parseValue(row.type, text);` +
    `const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes("/zod/"));` +
    `process.stdout.write(rows.length + " " + loaded.length);`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const [rows, loaded] = child.stdout.split(" ").map(Number);
  assert.ok((rows ?? 0) > 40, `${rows} rows parsed`);
  assert.equal(loaded, 0, "zod's modules were loaded");
});

test("no built module of the programs and no bundle names zod", () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".js")) files.push(join(dir, entry.name));
  };
  for (const name of ["core", "generate-maps", "reloader"]) walk(repoPath("packages", name, "dist"));
  assert.ok(
    files.some((file) => file.endsWith(join("bundle", "cli.js"))),
    "the bundles are there",
  );
  const naming = files.filter((file) => /["'/]zod["'/]/.test(readFileSync(file, "utf8")));
  assert.deepEqual(naming, []);
});
