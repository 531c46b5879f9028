// What "the files on disk are unchanged" means in a fault test: same inode, same mtime, same bytes, and
// no temporary file left beside them.
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";

// One file as a fault must leave it.
export interface FileState {
  path: string;
  ino: number;
  mtimeMs: number;
  content: string;
}

// The state of each path (throws when one is missing: a fault test starts from written files).
export async function readFileStates(paths: readonly string[]): Promise<FileState[]> {
  return Promise.all(
    paths.map(async (path) => {
      const info = await stat(path);
      return { path, ino: info.ino, mtimeMs: info.mtimeMs, content: await readFile(path, "utf8") };
    }),
  );
}

// Fails unless every file still has the inode, mtime and bytes it had in `before`.
export async function assertUnchanged(before: readonly FileState[], what: string): Promise<void> {
  const now = await readFileStates(before.map((file) => file.path));
  for (const [index, file] of before.entries()) {
    const current = now[index];
    assert.ok(current, file.path);
    assert.equal(current.content, file.content, `${what}: ${basename(file.path)} has other bytes`);
    assert.equal(current.ino, file.ino, `${what}: ${basename(file.path)} was replaced (other inode)`);
    assert.equal(
      current.mtimeMs,
      file.mtimeMs,
      `${what}: ${basename(file.path)} was rewritten (other mtime)`,
    );
  }
}

// Temporary files the atomic writer may have left in the directory of `path` (there must be none).
export async function leftoverTempFiles(path: string): Promise<string[]> {
  const names = await readdir(dirname(path));
  return names.filter((name) => name.endsWith(".tmp"));
}

// The bytes of a file, or undefined when it cannot be read.
export async function readOrUndefined(path: string): Promise<string | undefined> {
  return readFile(path, "utf8").catch(() => undefined);
}
