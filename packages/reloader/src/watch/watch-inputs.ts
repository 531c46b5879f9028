// Watch the generated input files (chokidar): the first change of a burst is reported at once (after a
// 10 ms settle), and once more after `quietMs` of quiet (leadingTrailing), with when its first event came.
import { dirname, resolve } from "node:path";
import { watch } from "chokidar";
import type { Logger } from "@rancher-haproxy/core";
import { leadingTrailing } from "./leading-trailing.js";

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
export function watchInputs(
  paths: readonly string[],
  quietMs: number,
  onChange: (firstEventAt: number) => void,
  logger: Logger,
): InputWatcher {
  const files = new Set(paths.map((path) => resolve(path)));
  const dirs = new Set([...files].map((file) => dirname(file)));
  const watcher = watch([...dirs], {
    ignoreInitial: true,
    persistent: true,
    depth: 0,
    ignored: (path: string) => !files.has(resolve(path)) && !dirs.has(resolve(path)),
  });
  const bursts = leadingTrailing(quietMs, onChange);
  watcher.on("all", (event, path) => {
    if (!files.has(resolve(path))) return;
    logger.debug({ event: "inputs.event", kind: event, path }, "input file event");
    bursts.event();
  });
  watcher.on("error", (error) =>
    logger.error({ event: "inputs.watch-error", err: String(error) }, "file watcher error"),
  );
  const ready = new Promise<void>((done) => watcher.once("ready", () => done()));
  return {
    ready,
    async close() {
      bursts.cancel();
      await watcher.close();
    },
  };
}
