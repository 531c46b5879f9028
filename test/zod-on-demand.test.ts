// zod is loaded at the first option value parsed: `--help` and an unknown flag (through the real CLIs)
// never load it; a refused value does, and is refused with the same message as before.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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

test("--help and an unknown flag load no zod; a refused value does", () => {
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
    assert.match(refused.stderr, /loaded zod \(require\)/, `${program} --log-level loud`);
  }
});
