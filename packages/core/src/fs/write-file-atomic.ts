import { open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

// What a write-if-changed did: whether the file changed and what it held before (null: no file).
export interface WriteResult {
  changed: boolean;
  previous: string | null;
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
// Readers see the old bytes or the new bytes, never a mix; no temp file survives a failure.
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

// Write `content` to `path` only when the bytes differ, so an unchanged file keeps its inode and mtime.
export async function writeIfChanged(path: string, content: string, mode = 0o644): Promise<WriteResult> {
  const previous = await readIfExists(path);
  if (previous === content) return { changed: false, previous };
  await writeFileAtomic(path, content, mode);
  return { changed: true, previous };
}

async function syncDirectory(dir: string): Promise<void> {
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
