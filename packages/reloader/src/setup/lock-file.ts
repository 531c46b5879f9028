// The state-dir lock's file operations (lock-state-dir.ts): read a lock or marker file through one
// descriptor, judge who holds it, and link() a complete file to a name (the one atomic "take").
import { link, open } from "node:fs/promises";
import { viewProcess } from "../adopt/process-table.js";

// An empty or unparsable lock (or marker) younger than this may still be being written: never stale.
export const UNREADABLE_STALE_MS = 5_000;

// One lock file as read through one descriptor: its inode, modification time and text.
export interface LockFile {
  ino: number;
  mtimeMs: number;
  text: string;
}

// What a lock (or marker) file says: the live process holding it, "fresh" (unreadable but young: being
// written), or "stale".
export type Verdict = { pid: number } | "fresh" | "stale";

// link(), false when the name exists.
export async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

// The file through one descriptor (inode and text of the same file), or null when there is none.
export async function readLock(path: string): Promise<LockFile | null> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    ignoreMissing(error);
    return null;
  }
  try {
    const stats = await handle.stat();
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { ino: stats.ino, mtimeMs: stats.mtimeMs, text: buffer.toString("utf8", 0, bytesRead) };
  } finally {
    await handle.close();
  }
}

// Who holds `file`: its `<pid> <start time>` names a live process (the same start time), or it is stale
// (gone, another process now, our own pid from an earlier run), or unreadable: fresh while young.
export function judge(file: LockFile): Verdict {
  const match = /^(\d+) (\S+)\n?$/.exec(file.text);
  const pid = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(pid) || pid < 1)
    return Date.now() - file.mtimeMs >= UNREADABLE_STALE_MS ? "stale" : "fresh";
  if (pid === process.pid) return "stale";
  return viewProcess(pid)?.startTime === match[2] ? { pid } : "stale";
}

// Rethrows anything but ENOENT (a file that is gone is no error here).
export function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}
