// The state dir is the reloader's private, trusted place (the base config and TLS PEM HAProxy loads live
// there): created 0700, re-tightened to 0700, owned by this user, and never the shared volume.
import { chmod, mkdir, stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { StartupError } from "../startup-error.js";

// Create and check the dir; `volumeFiles` are the generated files, whose directories it may not be in.
export async function prepareStateDir(stateDir: string, volumeFiles: readonly string[]): Promise<void> {
  for (const volume of new Set(volumeFiles.map((file) => dirname(resolve(file))))) {
    const inside = relative(volume, resolve(stateDir));
    if (inside === "" || (!inside.startsWith("..") && !inside.startsWith("/")))
      throw new StartupError(
        `--state-dir / RELOADER_STATE_DIR=${stateDir} is inside ${volume}, the directory of the generated ` +
          "files (the shared volume): the state dir must be private to the reloader",
      );
  }
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const info = await stat(stateDir);
  if (!info.isDirectory())
    throw new StartupError(`--state-dir / RELOADER_STATE_DIR=${stateDir} is not a directory`);
  const uid = process.getuid?.() ?? info.uid;
  if (info.uid !== uid)
    throw new StartupError(
      `--state-dir / RELOADER_STATE_DIR=${stateDir} belongs to uid ${info.uid}, not to this reloader (uid ${uid})`,
    );
  await chmod(stateDir, 0o700);
}
