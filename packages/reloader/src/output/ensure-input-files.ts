// Create the generated files empty when absent (the original's `touch`), so HAProxy can start and
// answer 503 until generate-maps writes them. An existing file is never touched. The volume is untrusted:
// a file that cannot be made (its directory a regular file, a dangling symlink, read-only) is left to the
// first read, which reports it (inputs.missing, inputs.unreadable), and the start goes on: a failed
// start stops the HAProxy it would adopt, serving the last good routing.
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";

// Returns the paths it created; never throws.
export async function ensureInputFiles(paths: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  for (const path of paths) {
    try {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, "wx", 0o644);
      await handle.close();
      created.push(path);
    } catch {
      // there already (EEXIST), or not to be made: what the first read finds there is reported
    }
  }
  return created;
}
