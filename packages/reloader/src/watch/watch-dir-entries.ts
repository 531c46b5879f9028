// Watch the directory entries that name the watched input directories, in their parents (fs.watch, one
// level, no recursion): a directory removed and made again, renamed over (a release swapped in), or a
// symlink to it swapped (Kubernetes' `..data`) is a new entry there, and a watch on the directory itself
// stays on the old one and hears nothing more.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

// The parents' watches.
export interface DirEntriesWatcher {
  close(): void;
}

// Call onReplaced(dir) when the entry of one of `dirs` (absolute paths) in its parent changes; `onError`
// hears a parent that cannot be watched (the directory watches go on without this one).
export function watchDirEntries(
  dirs: readonly string[],
  onReplaced: (dir: string) => void,
  onError: (parent: string, error: unknown) => void,
): DirEntriesWatcher {
  const byParent = new Map<string, Map<string, string>>();
  for (const dir of dirs) {
    const parent = dirname(dir);
    if (parent === dir) continue; // the root is never replaced
    const names = byParent.get(parent) ?? new Map<string, string>();
    names.set(basename(dir), dir);
    byParent.set(parent, names);
  }
  const watchers: FSWatcher[] = [];
  for (const [parent, names] of byParent) {
    try {
      const watcher = watch(parent, { persistent: false }, (kind, name) => {
        // `rename`: an entry came or went (a write inside the directory is no event here)
        const dir = name === null ? undefined : names.get(name.toString());
        if (kind === "rename" && dir !== undefined) onReplaced(dir);
      });
      watcher.on("error", (error) => onError(parent, error));
      watchers.push(watcher);
    } catch (error) {
      onError(parent, error);
    }
  }
  return {
    close() {
      for (const watcher of watchers) watcher.close();
    },
  };
}
