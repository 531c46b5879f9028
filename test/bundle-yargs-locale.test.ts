// Each bin loads its program's bundle (scripts/bundle.mjs) after `npm run build`: what the program prints
// must not depend on that. yargs finds its translations relative to its own file (node_modules/yargs/
// locales): bundled into dist/bundle/cli.js it looked for packages/<program>/locales, found none, and a
// user whose LANG is German got English help and refusals from the bin, German from dist/cli.js.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { chooseEntry } from "@rancher-haproxy/core";
import { assertBuilt, repoPath } from "@rancher-haproxy/test-support";

// A program's output for `argv` under a German locale, run through `script`.
function run(script: string, argv: string[]) {
  const env = { PATH: process.env["PATH"] ?? "", LANG: "de_DE.UTF-8" };
  const { status, stdout, stderr } = spawnSync(process.execPath, [script, ...argv], {
    encoding: "utf8",
    env,
  });
  return { status, stdout, stderr };
}

test("the bundled bins print --help and refusals in the user's locale, as dist/cli.js does", () => {
  for (const program of ["generate-maps", "reloader"] as const) {
    assertBuilt(program);
    const dir = repoPath("packages", program);
    const chosen = chooseEntry(pathToFileURL(join(dir, "/")));
    assert.ok(chosen.pathname.endsWith("/dist/bundle/cli.js"), `${program}: run npm run build`);
    const bin = join(dir, "bin", `${program}.js`);
    const unbundled = join(dir, "dist", "cli.js");
    const refused = run(bin, ["--no-such-flag"]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, /Unbekanntes Argument: no-such-flag/, `${program}: ${refused.stderr}`);
    assert.deepEqual(refused, run(unbundled, ["--no-such-flag"]), `${program} --no-such-flag`);
    const help = run(bin, ["--help"]);
    assert.equal(help.status, 0, help.stderr);
    assert.deepEqual(help, run(unbundled, ["--help"]), `${program} --help`);
  }
});
