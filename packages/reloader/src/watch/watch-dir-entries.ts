// Watch the directory entries that name the watched input directories, in their parents (fs.watch, one
// level, no recursion): a directory removed and made again, renamed over (a release swapped in), or a
// symlink to it swapped (Kubernetes' `..data`) is a new entry there, and a watch on the directory itself
// stays on the old one and hears nothing more. When the directory's path is a symlink, the entries it
// leads to are watched too: its target made (the link was dangling), or removed and made again, changes
// no entry of the link's own.
import { readlinkSync, realpathSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/** the symlinks followed from a directory's path (the kernel's limit is 40; a longer chain ends here) */
const MAX_LINKS = 8;

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
  for (const dir of dirs)
    for (const entry of namingEntries(dir)) {
      const parent = dirname(entry);
      if (parent === entry) continue; // the root is never replaced
      const names = byParent.get(parent) ?? new Map<string, string>();
      names.set(basename(entry), dir);
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

// The path and, while it is a symlink, the path it points at (a relative target resolved in the link's
// real directory, as the kernel does), up to MAX_LINKS links; the last may not exist (a dangling link).
function namingEntries(dir: string): string[] {
  const entries = [dir];
  let at = dir;
  while (entries.length <= MAX_LINKS) {
    try {
      const target = readlinkSync(at);
      at = resolve(realpathSync(dirname(at)), target);
    } catch {
      return entries; // not a symlink (EINVAL), or nothing there
    }
    entries.push(at);
  }
  return entries;
}
