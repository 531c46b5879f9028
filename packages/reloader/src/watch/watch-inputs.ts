// Watch the three input files (chokidar) and report each burst of changes once, after `debounceMs` of
// quiet, with the time its first event arrived.
import { dirname, resolve } from "node:path";
import { watch } from "chokidar";
import type { Logger } from "@rancher-haproxy/core";

// A running watcher.
export interface InputWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

// Call onChange(firstEventAt) after each quiet period following one or more events.
// The parent directories are watched, not the files: a watch on a file path follows its inode, and a
// burst of atomic renames (or a directory put in a file's place and back) can leave it on a dead inode
// until it is re-armed, while a directory watch sees every rename into it. Only the inputs' own names
// count (the writers' temp files in the same directory are ignored); the applier re-reads and hashes.
export function watchInputs(
  paths: readonly string[],
  debounceMs: number,
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
  let timer: NodeJS.Timeout | null = null;
  let firstEventAt: number | null = null;
  watcher.on("all", (event, path) => {
    if (!files.has(resolve(path))) return;
    logger.debug({ event: "inputs.event", kind: event, path }, "input file event");
    firstEventAt ??= performance.now();
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const since = firstEventAt ?? performance.now();
      firstEventAt = null;
      onChange(since);
    }, debounceMs);
  });
  watcher.on("error", (error) =>
    logger.error({ event: "inputs.watch-error", err: String(error) }, "file watcher error"),
  );
  const ready = new Promise<void>((done) => watcher.once("ready", () => done()));
  return {
    ready,
    async close() {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
