// Create the generated files empty when absent (the original's `touch`), so HAProxy can start and
// answer 503 until generate-maps writes them. An existing file is never touched.
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";

// Returns the paths it created.
export async function ensureInputFiles(paths: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true });
    try {
      const handle = await open(path, "wx", 0o644);
      await handle.close();
      created.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return created;
}
