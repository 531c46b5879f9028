// Which directory each path names now (device and inode, through symlinks), to tell a directory replaced
// without an event, such as a volume mounted over it, from the one a watch was armed on.
import { stat } from "node:fs/promises";

// `<dev>:<ino>` per directory path, or "missing" when it cannot be read.
export async function dirIdentities(dirs: readonly string[]): Promise<Map<string, string>> {
  const entries = await Promise.all(
    dirs.map(async (dir): Promise<[string, string]> => {
      try {
        const found = await stat(dir, { bigint: true });
        return [dir, `${found.dev}:${found.ino}`];
      } catch {
        return [dir, "missing"];
      }
    }),
  );
  return new Map(entries);
}
