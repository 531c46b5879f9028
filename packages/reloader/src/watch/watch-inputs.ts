// Watch the generated input files (chokidar): the first change of a burst is reported at once (after a
// 10 ms settle), and once more after `quietMs` of quiet (leadingTrailing), with when its first event came.
import { dirname, resolve } from "node:path";
import type { Logger } from "@rancher-haproxy/core";
import { armDirWatch, type DirWatch } from "./arm-dir-watch.js";
import { dirIdentities } from "./dir-identities.js";
import { leadingTrailing } from "./leading-trailing.js";

// A running watcher.
export interface InputWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

// How a watch that failed, or that stays on a directory no longer at its path, is noticed.
export interface WatchRecheck {
  /** stat the directories this often; re-arm a watch that failed or whose directory was replaced (0: never) */
  intervalMs: number;
  /** the watch failed (why: the first error) or works again (null) */
  onProblem(problem: string | null): void;
  /** reads the directories' identities (default dirIdentities; a test stands in for a hung mount) */
  identities?: typeof dirIdentities;
}

// Call onChange(firstEventAt) at the first event of a burst and once more after `quietMs` of quiet. The
// applier collapses what arrives during a pass into one more pass and hashes what it reads, so the extra
// report costs a re-read, and it catches a rename whose event chokidar dropped (see leading-trailing.ts).
// The parent directories are watched, not the files: a watch on a file path follows its inode, and a
// burst of atomic renames (or a directory put in a file's place and back) can leave it on a dead inode
// until it is re-armed, while a directory watch sees every rename into it. Only the inputs' own names
// count (the writers' temp files in the same directory are ignored); the applier re-reads and hashes.
// A directory watch follows its directory's inode in turn: when the directory is replaced (removed and
// made again, renamed over, a symlink to it swapped), the watch is made afresh on the new one, and that
// is a change (arm-dir-watch.ts). A replacement no event tells of (a volume mounted over the directory)
// and a watch that failed (the inotify limit) are found by the recheck, which re-arms the watch; until
// then the problem is reported (onProblem) and only the applier's rescan sees changes.
export function watchInputs(
  paths: readonly string[],
  quietMs: number,
  onChange: (firstEventAt: number) => void,
  logger: Logger,
  recheck: WatchRecheck = { intervalMs: 0, onProblem: () => undefined },
): InputWatcher {
  const files = new Set(paths.map((path) => resolve(path)));
  const dirs = [...new Set([...files].map((file) => dirname(file)))];
  const bursts = leadingTrailing(quietMs, onChange);
  let problem: string | null = null;
  // The first error stands for the failure until a watch is armed again without one.
  const report = (next: string | null) => {
    if ((next === null) === (problem === null)) return;
    if (next === null) logger.info({ event: "inputs.watch-restored" }, "the input files are watched again");
    problem = next;
    recheck.onProblem(next);
  };
  const arm = (): DirWatch =>
    armDirWatch(dirs, files, {
      event: (kind, path) => {
        logger.debug({ event: "inputs.event", kind, path }, "input file event");
        bursts.event();
      },
      replaced: (dir) => rearm("replaced", dir),
      failed: (error) => {
        if (problem === null)
          logger.error(
            { event: "inputs.watch-error", err: error },
            "file watcher error: changes are seen by the rescan until the watch is re-armed",
          );
        report(error);
      },
    });
  let current = arm();
  const ready = current.ready.then(() => report(current.failure));
  let closed = false;
  // One re-arm at a time; replacements that come during one make one more.
  let rearming: Promise<void> | null = null;
  let again = false;
  const rearm = (why: "replaced" | "moved" | "failed", dir?: string) => {
    if (closed) return;
    if (why === "failed") logger.debug({ event: "inputs.rewatch", why }, "re-arming the failed watch");
    else
      logger.info(
        { event: "inputs.rewatch", why, dir },
        "an input directory was replaced: watching the new one",
      );
    if (rearming) {
      again = true;
      return;
    }
    rearming = (async () => {
      do {
        again = false;
        await current.close();
        if (closed) return;
        current = arm();
        await current.ready;
        if (closed) return;
        report(current.failure);
        // What was written while no watch was armed is read now (the applier hashes: nothing new, no pass).
        bursts.event();
      } while (again && !closed);
    })()
      .catch((error: unknown) =>
        logger.error({ event: "inputs.watch-error", err: String(error) }, "cannot watch the new directory"),
      )
      .finally(() => (rearming = null));
  };
  // One stat of the directories at a time: on a hung mount a stat never returns, and one per tick piled
  // up without bound (each holding one of libuv's threads, which every file read of the process shares).
  let checking = false;
  const timer =
    recheck.intervalMs > 0
      ? setInterval(() => {
          if (rearming || closed || checking) return;
          if (problem !== null) return rearm("failed");
          checking = true;
          void (recheck.identities ?? dirIdentities)(dirs)
            .then((now) => {
              const moved = dirs.find((dir) => now.get(dir) !== current.identities.get(dir));
              if (moved !== undefined && !rearming) rearm("moved", moved);
            })
            .finally(() => (checking = false));
        }, recheck.intervalMs)
      : null;
  timer?.unref();
  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      bursts.cancel();
      await rearming;
      await current.close();
    },
  };
}
