// One reloader per state dir: a lock file created with O_EXCL holding `<pid> <start time>`. A lock whose
// process is gone (or whose pid now belongs to another process: the start time differs) is stale and
// replaced. Node has no flock without native addons; the window left (two reloaders replacing the same
// stale lock at the same instant) is closed by re-reading the lock after taking it.
import { readFileSync, unlinkSync } from "node:fs";
import { open, readFile, unlink } from "node:fs/promises";
import { viewProcess } from "../adopt/process-table.js";
import { StartupError } from "../startup-error.js";

// The held lock; release() removes it if it is still ours (synchronous: it also runs on process exit).
export interface StateDirLock {
  release(): void;
}

// Take the lock or throw a StartupError (exit 2) naming the pid that holds it.
export async function lockStateDir(lockFile: string, stateDir: string): Promise<StateDirLock> {
  const self = viewProcess(process.pid);
  const mine = `${process.pid} ${self?.startTime ?? "?"}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const handle = await open(lockFile, "wx", 0o600);
      await handle.writeFile(mine);
      await handle.close();
      if ((await readFile(lockFile, "utf8").catch(() => "")) !== mine) continue;
      return { release: () => releaseIfMine(lockFile, mine) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const text = await readFile(lockFile, "utf8").catch(() => null);
    if (text === null) continue; // released meanwhile
    const holder = liveHolder(text);
    if (holder !== null)
      throw new StartupError(
        `the state dir ${stateDir} (--state-dir / RELOADER_STATE_DIR) is in use by another reloader, ` +
          `pid ${holder}: run one reloader per state dir`,
        2,
        "reloader.state-dir-locked",
      );
    // Stale: remove it only if it still holds what was judged stale.
    if ((await readFile(lockFile, "utf8").catch(() => null)) === text)
      await unlink(lockFile).catch(() => undefined);
  }
  throw new StartupError(
    `cannot take the lock ${lockFile}: it keeps changing`,
    2,
    "reloader.state-dir-locked",
  );
}

// The pid of the live process a lock text names, or null when it is stale or unreadable.
function liveHolder(text: string): number | null {
  const [pidText = "", startTime = ""] = text.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid < 1 || pid === process.pid) return null;
  const view = viewProcess(pid);
  return view !== null && view.startTime === startTime ? pid : null;
}

function releaseIfMine(lockFile: string, mine: string): void {
  try {
    if (readFileSync(lockFile, "utf8") === mine) unlinkSync(lockFile);
  } catch {
    // already gone
  }
}
