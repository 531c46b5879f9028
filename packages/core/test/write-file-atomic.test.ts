import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, stat, writeFile, mkdir, chmod } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic, writeIfChanged } from "../src/index.js";
import { tempDir } from "./helpers.js";

test("writeIfChanged creates, then leaves an identical file alone (same inode and mtime)", async (t) => {
  const dir = await tempDir(t, "rh-atomic-");
  const path = join(dir, "domain.map");
  assert.deepEqual(await writeIfChanged(path, "a b\n"), { changed: true, previous: null });
  const before = await stat(path);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await writeIfChanged(path, "a b\n"), { changed: false, previous: "a b\n" });
  const after = await stat(path);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
});

test("writeIfChanged replaces by rename (new inode) and reports the previous content", async (t) => {
  const dir = await tempDir(t, "rh-atomic-");
  const path = join(dir, "backends.cfg");
  await writeFile(path, "old\n");
  const before = await stat(path);
  assert.deepEqual(await writeIfChanged(path, "new\n"), { changed: true, previous: "old\n" });
  assert.equal(await readFile(path, "utf8"), "new\n");
  assert.notEqual((await stat(path)).ino, before.ino);
  assert.deepEqual(await readdir(dir), ["backends.cfg"]);
});

test("a failed write leaves the old file intact and no temp file behind", async (t) => {
  const dir = await tempDir(t, "rh-atomic-");
  const path = join(dir, "target");
  await mkdir(path); // a directory where the file should be: rename must fail
  await assert.rejects(writeFileAtomic(path, "x"));
  assert.deepEqual(await readdir(dir), ["target"]);

  const dir2 = await tempDir(t, "rh-atomic-");
  const path2 = join(dir2, "domain.map");
  await writeFile(path2, "keep\n");
  if (process.getuid?.() !== 0) {
    await chmod(dir2, 0o500);
    await assert.rejects(writeFileAtomic(path2, "lost\n"));
    await chmod(dir2, 0o700);
    assert.equal(await readFile(path2, "utf8"), "keep\n");
    assert.deepEqual(await readdir(dir2), ["domain.map"]);
  }
});
