// Watch the generated input files (chokidar): the first change of a burst is reported at once (after a
// 10 ms settle), and once more after `quietMs` of quiet (leadingTrailing), with when its first event came.
import { dirname, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import type { Logger } from "@rancher-haproxy/core";
import { leadingTrailing } from "./leading-trailing.js";
import { watchDirEntries } from "./watch-dir-entries.js";

// A running watcher.
export interface InputWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
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
// is a change (watch-dir-entries.ts). Before, it heard nothing more until the reloader was restarted.
export function watchInputs(
  paths: readonly string[],
  quietMs: number,
  onChange: (firstEventAt: number) => void,
  logger: Logger,
): InputWatcher {
  const files = new Set(paths.map((path) => resolve(path)));
  const dirs = new Set([...files].map((file) => dirname(file)));
  const bursts = leadingTrailing(quietMs, onChange);
  // The first watch armed, or re-armed when the directory was replaced before it was (or a close).
  let armed = () => undefined as void;
  const ready = new Promise<void>((done) => (armed = done));
  const watchDirs = (): { watcher: FSWatcher; ready: Promise<void> } => {
    const watcher = watch([...dirs], {
      ignoreInitial: true,
      persistent: true,
      depth: 0,
      ignored: (path: string) => !files.has(resolve(path)) && !dirs.has(resolve(path)),
    });
    watcher.on("all", (event, path) => {
      if (!files.has(resolve(path))) return;
      logger.debug({ event: "inputs.event", kind: event, path }, "input file event");
      bursts.event();
    });
    watcher.on("error", (error) =>
      logger.error({ event: "inputs.watch-error", err: String(error) }, "file watcher error"),
    );
    const watching = new Promise<void>((done) => watcher.once("ready", () => done()));
    return { watcher, ready: watching.then(armed) };
  };
  let current = watchDirs();
  let closed = false;
  let stopped = () => undefined as void;
  const stopping = new Promise<void>((done) => (stopped = done));
  // One re-arm at a time; replacements that come during one make one more.
  let rearming: Promise<void> | null = null;
  let again = false;
  const rearm = async () => {
    do {
      again = false;
      await current.watcher.close();
      if (closed) return;
      current = watchDirs();
      await Promise.race([current.ready, stopping]);
      // What was written while no watch was armed is read now (the applier hashes: nothing new, no pass).
      if (!closed) bursts.event();
    } while (again && !closed);
  };
  const entries = watchDirEntries(
    [...dirs],
    (dir) => {
      logger.info({ event: "inputs.rewatch", dir }, "an input directory was replaced: watching the new one");
      bursts.event();
      if (rearming) again = true;
      else
        rearming = rearm()
          .catch((error: unknown) =>
            logger.error(
              { event: "inputs.watch-error", dir, err: String(error) },
              "cannot watch the new directory",
            ),
          )
          .finally(() => (rearming = null));
    },
    (parent, error) =>
      logger.error(
        { event: "inputs.watch-error", parent, err: String(error) },
        "cannot watch an input directory's parent: a replaced directory is seen by the rescan only",
      ),
  );
  return {
    ready,
    async close() {
      closed = true;
      stopped();
      armed();
      entries.close();
      bursts.cancel();
      await rearming;
      await current.watcher.close();
    },
  };
}
