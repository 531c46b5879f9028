// readWrittenCertificates: the files an earlier reloader's crt-list names, read bounded and without
// blocking. Before, it read each with readFile: a FIFO the crt-list named (a file of the state dir
// replaced by one) held the reloader's start forever, and a file of any size was read whole before the
// checks refused it. Real files in a temporary directory; nothing else.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  MAX_WRITTEN_PEM_BYTES,
  readWrittenCertificates,
} from "../src/certs/sources/read-written-certificates.ts";

// A certs dir with a crt-list naming `files` (base names) in it; `t.after` removes it, after the hooks
// registered before this call (node runs them in order).
async function certsDir(t: { after: (fn: () => Promise<void>) => void }, files: string[]) {
  const root = await mkdtemp(join(tmpdir(), "rh-written-"));
  const dir = join(root, "certs");
  await mkdir(dir);
  const crtList = join(dir, "crt-list");
  await writeFile(crtList, `# header\n${files.map((file) => `${join(dir, file)}\n`).join("")}`);
  t.after(() => rm(root, { recursive: true, force: true }));
  return { dir, crtList };
}

test("a file over the bound, a directory and a missing file are left out; a symlink is followed", async (t) => {
  const { dir, crtList } = await certsDir(t, [
    "dir-a.pem",
    "dir-huge.pem",
    "dir-sub.pem",
    "dir-missing.pem",
    "dir-link.pem",
  ]);
  await writeFile(join(dir, "dir-a.pem"), "A");
  await writeFile(join(dir, "dir-huge.pem"), "x".repeat(MAX_WRITTEN_PEM_BYTES + 1));
  await mkdir(join(dir, "dir-sub.pem"));
  await symlink(join(dir, "dir-a.pem"), join(dir, "dir-link.pem"));
  assert.deepEqual(await readWrittenCertificates(crtList), [
    { file: "dir-a.pem", pem: "A" },
    { file: "dir-link.pem", pem: "A" },
  ]);
});

test("a FIFO the crt-list names is left out at once, not waited on", { timeout: 30_000 }, async (t) => {
  // Only for the old code, whose open waits for a writer: release it (before the directory goes).
  let fifo = "";
  t.after(async () => {
    const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
    await writer?.close();
  });
  const { dir, crtList } = await certsDir(t, ["dir-fifo.pem", "dir-b.pem"]);
  fifo = join(dir, "dir-fifo.pem");
  execFileSync("mkfifo", [fifo]);
  await writeFile(join(dir, "dir-b.pem"), "B");
  assert.deepEqual(await readWrittenCertificates(crtList), [{ file: "dir-b.pem", pem: "B" }]);
});

test("an unreadable crt-list (a directory) is nothing", async (t) => {
  const { dir } = await certsDir(t, []);
  await mkdir(join(dir, "list-dir"));
  assert.deepEqual(await readWrittenCertificates(join(dir, "list-dir")), []);
});
