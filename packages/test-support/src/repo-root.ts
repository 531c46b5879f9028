// The repository's root directory, wherever the code asking runs from: packages/*/src through tsx,
// packages/*/dist, or the tests' compiled copy (.test-build/, see scripts/run-tests.mjs). Paths to the
// repository's own files (bins, fixtures, deploy files, helper scripts) are built from it, never from a
// file's own location, which differs between those three.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The first directory up from `from` that holds the repository's package-lock.json and packages/.
function findRepoRoot(from: string): string {
  for (let dir = from; ;) {
    if (existsSync(join(dir, "package-lock.json")) && existsSync(join(dir, "packages", "test-support")))
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${from}`);
    dir = parent;
  }
}

let root: string | null = null;

// The repository root (no trailing slash), found at the first call.
export function repoRoot(): string {
  root ??= findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  return root;
}

// A path inside the repository, from its root: repoPath("packages", "reloader", "bin", "reloader.js").
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
