// What --dry-run prints: each file under a `# ==> path <==` line, backends first, as it would be written.
import type { OutputFiles } from "../output/write-outputs.js";

// Both files as one text for stdout (logs go to stderr in a dry run, so this can be piped).
export function renderDryRun(files: OutputFiles): string {
  return [files.backends, files.map].map((file) => `# ==> ${file.path} <==\n${file.content}`).join("");
}
