// readRegularFile and removeStaleTemps: what the generator may read and delete in the shared volume.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { appendFile, mkdir, open, readdir, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { readBounded, readRegularFile, removeStaleTemps, safeLogText } from "../src/index.js";
import { tempDir } from "./helpers.js";

test("only a regular file under the cap is read; symlinks, FIFOs, devices and directories are refused", async (t) => {
  const dir = await tempDir(t, "core-read-");
  await writeFile(join(dir, "file"), "abc\n");
  await symlink(join(dir, "file"), join(dir, "link"));
  execFileSync("mkfifo", [join(dir, "fifo")]);
  await mkdir(join(dir, "dir"));
  assert.deepEqual(await readRegularFile(join(dir, "file")), { kind: "file", content: "abc\n" });
  assert.deepEqual(await readRegularFile(join(dir, "missing")), { kind: "absent" });
  assert.deepEqual(await readRegularFile(join(dir, "file", "below")), { kind: "absent" });
  const refused = async (path: string, reason: RegExp, max?: number) => {
    const read = await readRegularFile(path, max);
    assert.equal(read.kind, "refused", path);
    if (read.kind === "refused") assert.match(read.reason, reason);
  };
  await refused(join(dir, "link"), /symbolic link/);
  await refused(join(dir, "fifo"), /FIFO/);
  await refused(join(dir, "dir"), /a directory/);
  await refused("/dev/zero", /character device/);
  await refused(join(dir, "file"), /4 bytes, more than the 3-byte cap/, 3);
});

test("a file longer than fstat says (a /proc file has size 0) is read to its end; past the cap it is refused", async () => {
  const cmdline = readFileSync("/proc/self/cmdline", "utf8");
  assert.ok(cmdline.length > 8);
  assert.deepEqual(await readRegularFile("/proc/self/cmdline"), { kind: "file", content: cmdline });
  const read = await readRegularFile("/proc/self/cmdline", 5);
  assert.equal(read.kind, "refused");
  if (read.kind === "refused") assert.match(read.reason, /grew past the 5-byte cap while being read/);
});

test("readBounded reads what the file holds after its fstat, but never past the cap (a sparse 1 GiB grow)", async (t) => {
  const dir = await tempDir(t, "core-bounded-");
  const path = join(dir, "input");
  await writeFile(path, "0123456789");
  const handle = await open(path, "r");
  t.after(() => handle.close());
  const { size } = await handle.stat();
  // Grown after the size was checked: FileHandle.readFile() would read all of it.
  await appendFile(path, "abcdef");
  assert.equal((await readBounded(handle, size, 100))?.toString(), "0123456789abcdef");
  assert.equal(await readBounded(handle, size, 12), null);
  await truncate(path, 1024 ** 3);
  assert.equal(await readBounded(handle, size, 1024 * 1024), null, "refused after reading 1 MiB + 1 byte");
  await truncate(path, 0);
  assert.equal(
    (await readBounded(handle, size, 100))?.length,
    0,
    "shrunk to nothing: empty, not stale bytes",
  );
});

test("removeStaleTemps removes this file's temp names, of this pid too (a container reuses it), never a directory", async (t) => {
  const dir = await tempDir(t, "core-temps-");
  const names = [
    ".domain.map.12.0123abcd.tmp",
    `.domain.map.${process.pid}.0123abcd.tmp`,
    ".domain.map.12.0123ABCD.tmp",
    ".domainXmap.12.0123abcd.tmp",
    ".backends.cfg.12.0123abcd.tmp",
    "domain.map",
  ];
  for (const name of names) await writeFile(join(dir, name), "");
  await mkdir(join(dir, ".domain.map.13.0123abcd.tmp"));
  assert.deepEqual(
    (await removeStaleTemps(join(dir, "domain.map"))).sort(),
    [`.domain.map.${process.pid}.0123abcd.tmp`, ".domain.map.12.0123abcd.tmp"].sort(),
  );
  assert.equal((await readdir(dir)).length, names.length - 1);
  assert.deepEqual(await removeStaleTemps(join(dir, "missing-dir", "domain.map")), []);
});

test("safeLogText escapes control characters and cuts long text, saying how much was left out", () => {
  assert.equal(safeLogText("a\nb\r\u001b[31m\u2028"), "a\\nb\\r\\u001b[31m\\u2028");
  assert.equal(safeLogText("x".repeat(10), 4), "xxxx…(6 more characters)");
  assert.equal(safeLogText("+a\tb\n-c\u0007", 100, "lines"), "+a\tb\n-c\\u0007");
});
