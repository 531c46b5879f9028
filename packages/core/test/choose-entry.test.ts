// A program's bin loads its bundle only while that is at least as new as the last `tsc -b` of the program
// and of core and as the repository's package-lock.json: after a `tsc -b` alone, or a change of the
// dependencies the bundle holds copies of, it runs dist/cli.js, never a bundle of older code.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { chooseEntry } from "../src/launch/choose-entry.ts";

// A repository with package-lock.json and packages/ with core and one program; `times` (seconds) for the
// files to create, absent: none.
async function layout(times: { bundle?: number; program?: number; core?: number; lock?: number }) {
  const repo = await mkdtemp(join(tmpdir(), "rh-choose-entry-"));
  const root = join(repo, "packages");
  const file = async (path: string, at: number | undefined) => {
    if (at === undefined) return;
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, "");
    await utimes(path, at, at);
  };
  const program = join(root, "reloader");
  await file(join(program, "dist", "bundle", "cli.js"), times.bundle);
  await file(join(program, "dist", ".tsbuildinfo"), times.program);
  await file(join(root, "core", "dist", ".tsbuildinfo"), times.core);
  await file(join(repo, "package-lock.json"), times.lock);
  const chosen = chooseEntry(pathToFileURL(`${program}/`));
  await rm(repo, { recursive: true, force: true });
  return chosen.pathname.slice(program.length + 1);
}

const T = 1_800_000_000;

test("the bundle when it is as new as both builds or newer", async () => {
  assert.equal(await layout({ bundle: T + 1, program: T, core: T }), "dist/bundle/cli.js");
  assert.equal(await layout({ bundle: T, program: T, core: T }), "dist/bundle/cli.js");
});

test("dist/cli.js when the program or core was built again after the bundle", async () => {
  assert.equal(await layout({ bundle: T, program: T + 1, core: T }), "dist/cli.js");
  assert.equal(await layout({ bundle: T, program: T, core: T + 1 }), "dist/cli.js");
});

test("dist/cli.js without a bundle; the bundle when no build info says it is old", async () => {
  assert.equal(await layout({ program: T, core: T }), "dist/cli.js");
  assert.equal(await layout({ bundle: T }), "dist/bundle/cli.js");
});

test("dist/cli.js when package-lock.json changed after the bundle; the bundle when it is older", async () => {
  assert.equal(await layout({ bundle: T, program: T, core: T, lock: T + 1 }), "dist/cli.js");
  assert.equal(await layout({ bundle: T, program: T, core: T, lock: T }), "dist/bundle/cli.js");
  assert.equal(await layout({ bundle: T, lock: T - 1 }), "dist/bundle/cli.js");
});
