// One reloader per state dir: the lock file `reloader.lock` holds `<pid> <start time>` of its holder.
// Node has no flock without native addons, so every step that decides who holds it is one atomic
// filesystem operation that fails when someone else got there first:
// - taking: the text is written to a temp file of our own first, then link()ed to the lock's name, so
//   the lock never exists without its holder's text (EEXIST: it is taken);
// - a lock whose process is gone (or whose pid now belongs to another process: the start time differs)
//   is stale, and so is an empty or unparsable one once it is older than UNREADABLE_STALE_MS (a writer
//   that is not this code may be filling it in); a fresh one is refused, never replaced;
// - replacing a stale lock: a contender first link()s its temp file to a marker named after that lock
//   file (its inode and text), so only one contender at a time may remove it; under the marker it
//   checks that the very same file is still the lock, unlinks it and links its own in. Nobody else can
//   remove that file meanwhile (its holder is gone, other contenders wait on the marker) and no file
//   with that inode and text can be the lock again, so a fresh lock is never removed. A marker whose own
//   holder is gone (killed while replacing) is stepped over by a marker named after both.
// Left: a holder killed (kill -9) leaves its lock (stale: the next start replaces it); a contender
// killed while replacing leaves its marker or temp file (the next holder removes them once a minute
// old); a lock written without a start time (no /proc) is judged stale by anyone.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, unlinkSync } from "node:fs";
import { lstat, readdir, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { viewProcess } from "../adopt/process-table.js";
import { StartupError } from "../startup-error.js";
import { ignoreMissing, judge, linked, readLock, UNREADABLE_STALE_MS, type LockFile } from "./lock-file.js";

// The held lock; release() removes it if it is still ours (synchronous: it also runs on process exit).
export interface StateDirLock {
  release(): void;
}

// A marker or temp file left by a killed contender is removed by the next holder once this old.
const LEFTOVER_MS = 60_000;
// How many times the lock is looked at again before giving up, and the wait while another contender
// replaces a stale lock (it holds the marker for a few milliseconds).
const ATTEMPTS = 100;
const BUSY_WAIT_MS = 20;
const MARKER_DEPTH = 8;

// Take the lock or throw a StartupError (exit 2) naming the pid that holds it.
export async function lockStateDir(lockFile: string, stateDir: string): Promise<StateDirLock> {
  const self = viewProcess(process.pid);
  const mine = `${process.pid} ${self?.startTime ?? "?"}\n`;
  const temp = `${lockFile}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, mine, { flag: "wx", mode: 0o600 });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await linked(temp, lockFile)) return await held(lockFile, mine);
      const found = await readLock(lockFile);
      if (found === null) continue; // released meanwhile
      const verdict = judge(found);
      if (verdict !== "stale") throw lockedError(stateDir, lockFile, verdict);
      const outcome = await replaceStale(lockFile, found, temp);
      if (outcome === "taken") return await held(lockFile, mine);
      if (outcome === "busy") await sleep(BUSY_WAIT_MS);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  throw new StartupError(
    `cannot take the lock ${lockFile}: it keeps changing, or another process is replacing it`,
    2,
    "reloader.state-dir-locked",
  );
}

// Replace the stale lock `found` by ours, under the marker of that file: "taken" (ours now), "gone"
// (that file is no longer the lock: look again) or "busy" (another contender is replacing it).
async function replaceStale(
  lockFile: string,
  found: LockFile,
  temp: string,
): Promise<"taken" | "gone" | "busy"> {
  const markers: string[] = [];
  let key = digest(`${found.ino} ${found.text}`);
  for (let depth = 0; depth < MARKER_DEPTH; depth++) {
    const marker = `${lockFile}.break-${key}`;
    if (await linked(temp, marker)) {
      markers.push(marker);
      const now = await readLock(lockFile);
      if (now !== null && now.ino === found.ino && now.text === found.text)
        await unlink(lockFile).catch(ignoreMissing);
      // The stale file is gone for good: the markers named after it guard nothing any more.
      const outcome = (await linked(temp, lockFile)) ? "taken" : "gone";
      for (const name of markers) await unlink(name).catch(ignoreMissing);
      return outcome;
    }
    const holder = await readLock(marker);
    if (holder === null) continue; // its contender finished meanwhile: try the same marker again
    if (judge(holder) !== "stale") return "busy";
    markers.push(marker);
    key = digest(`${key} ${holder.ino} ${holder.text}`);
  }
  return "busy";
}

// The lock taken: leftovers of killed contenders removed, and the release.
async function held(lockFile: string, mine: string): Promise<StateDirLock> {
  await removeLeftovers(lockFile).catch(() => undefined); // tidying only: they guard nothing
  return { release: () => releaseIfMine(lockFile, mine) };
}

// Markers and temp files (`reloader.lock.*`) a minute old: their contenders were killed. While we hold
// the lock no marker guards anything (every file judged stale is gone), and a live contender's temp
// file is milliseconds old.
async function removeLeftovers(lockFile: string): Promise<void> {
  const dir = dirname(lockFile);
  const prefix = `${basename(lockFile)}.`;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => null);
    if (stats !== null && Date.now() - stats.mtimeMs >= LEFTOVER_MS) await unlink(path).catch(ignoreMissing);
  }
}

function lockedError(stateDir: string, lockFile: string, verdict: { pid: number } | "fresh"): StartupError {
  const why =
    verdict === "fresh"
      ? `is being taken: its lock ${lockFile} is empty or unreadable and less than ` +
        `${UNREADABLE_STALE_MS / 1000} s old (another process is writing it)`
      : `is in use by another reloader, pid ${verdict.pid}`;
  return new StartupError(
    `the state dir ${stateDir} (--state-dir / RELOADER_STATE_DIR) ${why}: run one reloader per state dir`,
    2,
    "reloader.state-dir-locked",
  );
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function releaseIfMine(lockFile: string, mine: string): void {
  try {
    if (readFileSync(lockFile, "utf8") === mine) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}
