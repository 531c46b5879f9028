// The state dir is the reloader's private, trusted place (the base config and TLS PEM HAProxy loads live
// there): created 0700, re-tightened to 0700, owned by this user, never the shared volume nor a shared
// directory such as /tmp.
import { chmod, mkdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { StartupError } from "../startup-error.js";

// Create and check the dir; `volumeFiles` are the generated files, whose directories it may not be in
// (as written, nor once symlinks are resolved).
export async function prepareStateDir(stateDir: string, volumeFiles: readonly string[]): Promise<void> {
  const realState = await realPathOf(stateDir);
  for (const volume of new Set(volumeFiles.map((file) => dirname(resolve(file))))) {
    const realVolume = await realPathOf(volume);
    if (isWithin(volume, resolve(stateDir)) || isWithin(realVolume, realState))
      throw new StartupError(
        `--state-dir / RELOADER_STATE_DIR=${stateDir} is inside ${volume}, the directory of the generated ` +
          "files (the shared volume): the state dir must be private to the reloader",
      );
  }
  const created = await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const info = await stat(stateDir);
  if (!info.isDirectory())
    throw new StartupError(`--state-dir / RELOADER_STATE_DIR=${stateDir} is not a directory`);
  // A shared directory (/tmp: sticky, writable by anyone) is not re-tightened: others would lose it. A
  // mount of its own (Docker's `tmpfs:` mounts are 1777 unless told otherwise) is the reloader's alone.
  if (
    SHARED_DIRS.has(realState) ||
    (created === undefined && (info.mode & 0o1002) !== 0 && !(await isMountPoint(realState, info.dev)))
  )
    throw new StartupError(
      `--state-dir / RELOADER_STATE_DIR=${stateDir} is a shared directory (mode ${(info.mode & 0o7777).toString(8)}): ` +
        "name a directory of the reloader's own, such as one below it",
    );
  const uid = process.getuid?.() ?? info.uid;
  if (info.uid !== uid)
    throw new StartupError(
      `--state-dir / RELOADER_STATE_DIR=${stateDir} belongs to uid ${info.uid}, not to this reloader (uid ${uid})`,
    );
  await chmod(stateDir, 0o700);
}

/** system directories other programs share, refused whatever their mode */
const SHARED_DIRS = new Set([
  "/",
  "/tmp",
  "/var/tmp",
  "/dev/shm",
  "/run",
  "/var/run",
  "/run/lock",
  "/var/lock",
]);

// Whether `dir` (resolved, on device `dev`) is a mount point: its parent is on another device.
async function isMountPoint(dir: string, dev: number): Promise<boolean> {
  return dirname(dir) !== dir && (await stat(dirname(dir))).dev !== dev;
}

// `path` is `dir` or below it (a first component merely starting with "..", like `..state`, is below).
export function isWithin(dir: string, path: string): boolean {
  const inside = relative(dir, path);
  return inside === "" || !(inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside));
}

// `path` with the symlinks of its longest existing part resolved (the rest may not exist yet).
export async function realPathOf(path: string): Promise<string> {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    try {
      return join(await realpath(at), ...missing.reverse());
    } catch {
      if (dirname(at) === at) return resolve(path);
      missing.push(basename(at));
    }
  }
}
