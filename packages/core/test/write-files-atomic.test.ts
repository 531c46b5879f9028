// writeFilesAtomic: staged temp files, renames in order, the steps before a failure still land, no temp
// file left behind.
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { writeFilesAtomic } from "../src/index.js";
import { tempDir } from "./helpers.js";

test("writeFilesAtomic renames every step in order; a path may come twice", async (t) => {
  const dir = await tempDir(t, "rh-atomic-many-");
  const [b, m] = [join(dir, "backends.cfg"), join(dir, "domain.map")];
  const seen: string[] = [];
  const outcomes = await writeFilesAtomic(
    [
      { path: b, content: "union\n" },
      { path: m, content: "map\n" },
      { path: b, content: "final\n" },
    ],
    async (path) => void seen.push(`${path === b ? "b" : "m"}:${await readFile(path, "utf8")}`),
  );
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["renamed", "renamed", "renamed"],
  );
  assert.deepEqual(seen, ["b:union\n", "m:map\n", "b:final\n"]);
  assert.deepEqual((await readdir(dir)).sort(), ["backends.cfg", "domain.map"]);
});

test("writeFilesAtomic stages every file before the first rename (the renames land back to back)", async (t) => {
  const dir = await tempDir(t, "rh-atomic-many-");
  const [b, m] = [join(dir, "backends.cfg"), join(dir, "domain.map")];
  let atFirstRename: string[] = [];
  await writeFilesAtomic(
    [
      { path: b, content: "b\n" },
      { path: m, content: "m\n" },
    ],
    async (path) => {
      if (path === b) atFirstRename = await readdir(dir);
    },
  );
  assert.ok(
    atFirstRename.some((name) => /^\.domain\.map\.[0-9]+\.[0-9a-f]{8}\.tmp$/.test(name)),
    `the map's temp file is written before the backends rename: ${atFirstRename.join(", ")}`,
  );
});

test("writeFilesAtomic: a step that cannot be staged fails, the ones before it land, none after", async (t) => {
  const dir = await tempDir(t, "rh-atomic-many-");
  await writeFile(join(dir, "notadir"), "");
  await writeFile(join(dir, "c"), "old c\n");
  const outcomes = await writeFilesAtomic([
    { path: join(dir, "a"), content: "a\n" },
    { path: join(dir, "notadir", "b"), content: "b\n" },
    { path: join(dir, "c"), content: "c\n" },
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["renamed", "failed", "not-attempted"],
  );
  assert.equal(await readFile(join(dir, "c"), "utf8"), "old c\n");
  assert.deepEqual((await readdir(dir)).sort(), ["a", "c", "notadir"]);
});

test("writeFilesAtomic: a failed rename stops there and removes every temp file", async (t) => {
  const dir = await tempDir(t, "rh-atomic-many-");
  await mkdir(join(dir, "target")); // a directory where a file should go: the rename fails
  const outcomes = await writeFilesAtomic([
    { path: join(dir, "target"), content: "x\n" },
    { path: join(dir, "after"), content: "y\n" },
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["failed", "not-attempted"],
  );
  assert.deepEqual(await readdir(dir), ["target"]);
});
