// One armed watch over the inputs' directories: chokidar on the directories (their entries) plus a watch
// of each directory's own entry in its parent (watch-dir-entries.ts), and what it was armed on.
import { resolve } from "node:path";
import { watch } from "chokidar";
import { dirIdentities } from "./dir-identities.js";
import { watchDirEntries } from "./watch-dir-entries.js";

// What the watch tells: an event on an input, a directory replaced, an error (the watch may be dead).
export interface DirWatchEvents {
  event(kind: string, path: string): void;
  replaced(dir: string): void;
  failed(error: string): void;
}

// An armed watch: `ready` once chokidar scanned; `failure` is its first error (null: it works).
export interface DirWatch {
  readonly ready: Promise<void>;
  readonly failure: string | null;
  /** the directories (device:inode) the watch was armed on, known once ready */
  readonly identities: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

// Arms the watch; errors before `ready` (fs.watch refused: ENOSPC, EACCES) set `failure` as well.
export function armDirWatch(
  dirs: readonly string[],
  files: ReadonlySet<string>,
  on: DirWatchEvents,
): DirWatch {
  let failure: string | null = null;
  let identities: ReadonlyMap<string, string> = new Map();
  let closed = false;
  const fail = (error: unknown) => {
    failure ??= String(error);
    if (!closed) on.failed(String(error));
  };
  // The identities first: a directory replaced between the stat and the watch is re-armed once more.
  const armed = dirIdentities(dirs).then((found) => {
    identities = found;
    if (closed) return null;
    const entries = watchDirEntries(dirs, on.replaced, (parent, error) =>
      fail(`${parent}: ${String(error)}`),
    );
    const watcher = watch([...dirs], {
      ignoreInitial: true,
      persistent: true,
      depth: 0,
      ignored: (path: string) => !files.has(resolve(path)) && !dirs.includes(resolve(path)),
    });
    watcher.on("all", (kind, path) => {
      if (files.has(resolve(path))) on.event(kind, path);
    });
    watcher.on("error", (error: unknown) => {
      if (!isInputLoop(error, files)) fail(error);
    });
    const scanned = new Promise<void>((done) => watcher.once("ready", () => done()));
    return { entries, watcher, scanned };
  });
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  return {
    ready: armed.then((watch) => (watch ? Promise.race([watch.scanned, stopped]) : undefined)),
    get failure() {
      return failure;
    },
    get identities() {
      return identities;
    },
    async close() {
      closed = true;
      stop();
      const watch = await armed;
      if (!watch) return;
      watch.entries.close();
      await watch.watcher.close();
    },
  };
}

// A symlink loop at an input's path (chokidar cannot stat it): an input the applier refuses when it reads
// it, not a failed watch; the directory watch goes on and hears the file put in its place.
function isInputLoop(error: unknown, files: ReadonlySet<string>): boolean {
  const { code, path } = error as { code?: unknown; path?: unknown };
  return code === "ELOOP" && typeof path === "string" && files.has(resolve(path));
}
