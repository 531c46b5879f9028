import { lstat, open, readdir, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { readRegularFile } from "./read-regular-file.js";

// What a write-if-changed did: whether the file changed and what it held before (null: no file, or one
// that was not read: then `replaced` says why, e.g. "it is a symbolic link").
export interface WriteResult {
  changed: boolean;
  previous: string | null;
  replaced?: string;
}

// The temp file of a write to `<dir>/<name>`: `.<name>.<pid>.<8 hex>.tmp`, in the same directory.
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

const TEMP_NAME = /^\.(.+)\.[0-9]+\.[0-9a-f]{8}\.tmp$/;

// Whether `entry` (a file name) is a temp file of tempPathFor: of a write to `name` when it is given, of
// any write otherwise (a directory only one writer uses, such as the reloader's state dir).
export function isTempName(entry: string, name?: string): boolean {
  const match = TEMP_NAME.exec(entry);
  return match !== null && (name === undefined || match[1] === name);
}

// Removes the temp files a killed writer of `path` left behind (only `.<name>.<pid>.<8 hex>.tmp` of this
// very name); returns the names removed. A missing directory removes nothing. Call it before this process
// writes `path` (the generator does, at its first writing cycle): a leftover may carry this very pid, as
// a container numbers its processes afresh at each start (tini 1, node the same number every time).
export async function removeStaleTemps(path: string): Promise<string[]> {
  return (await removeOldTemps(path, 0)).removed;
}

// removeStaleTemps for a file another live process may be writing (a start-before-stop upgrade runs two
// generators on one volume): a temp modified less than `minAgeMs` ago may be in flight and is kept,
// counted in `young` (the caller tries again later). A temp dated more than `minAgeMs` ahead is no write
// in flight either (a clock stepped back since a killed write): before, it stayed young until then.
export async function removeOldTemps(
  path: string,
  minAgeMs: number,
): Promise<{ removed: string[]; young: number }> {
  const entries = await readdir(dirname(path), { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  let young = 0;
  for (const entry of entries) {
    if (!isTempName(entry.name, basename(path)) || entry.isDirectory()) continue;
    const temp = join(dirname(path), entry.name);
    if (minAgeMs > 0) {
      const modified = await lstat(temp).then(
        (stats) => stats.mtimeMs,
        () => null,
      );
      if (modified === null) continue; // gone meanwhile
      if (Math.abs(Date.now() - modified) < minAgeMs) {
        young += 1;
        continue;
      }
    }
    await rm(temp, { force: true });
    removed.push(entry.name);
  }
  return { removed, young };
}

// Read a file as UTF-8, or null when it does not exist (any other error is thrown).
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

// Replace `path` atomically: temp file in the same directory, fsync, rename, fsync the directory.
// Readers see the old bytes or the new bytes, never a mix; no temp file survives a failure. A string is
// written as UTF-8, bytes as they are.
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const temp = tempPathFor(path);
  await stageTempFile(temp, content, mode);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

// Write `content` to the new file `temp` (never an existing one) and fsync it; removed again if anything
// fails. The first half of every atomic replacement (writeFileAtomic, writeFilesAtomic).
export async function stageTempFile(temp: string, content: string | Uint8Array, mode: number): Promise<void> {
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await (typeof content === "string" ? handle.writeFile(content, "utf8") : handle.writeFile(content));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

// Write `content` to `path` only when the bytes differ, so an unchanged file keeps its inode and mtime.
// Only a regular file is read to compare (readRegularFile); a symlink, FIFO, device or oversized file
// counts as absent and is replaced by the rename, with the reason in `replaced`.
export async function writeIfChanged(path: string, content: string, mode = 0o644): Promise<WriteResult> {
  const found = await readRegularFile(path);
  const previous = found.kind === "file" ? found.content : null;
  if (previous === content) return { changed: false, previous };
  await writeFileAtomic(path, content, mode);
  return found.kind === "refused"
    ? { changed: true, previous, replaced: found.reason }
    : { changed: true, previous };
}

// fsync a directory (the renames in it are durable); a filesystem that refuses it is not an error.
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
