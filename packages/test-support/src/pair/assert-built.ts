// Tests run the built programs (dist): a build older than its sources would test old code without a
// word. Checked once per test process and package: the newest file under the package's src (and core's,
// which every program imports) must not be newer than its build info, which `tsc -b` rewrites.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "../repo-root.js";

const checked = new Set<string>();

// Throws naming the fix when `name`'s (or core's) dist is missing or older than its src; `packages` is the
// repository's packages dir (tests give another).
export function assertBuilt(name: "reloader" | "generate-maps", packages = repoPath("packages")): void {
  if (checked.has(join(packages, name))) return;
  for (const pkg of [name, "core"]) {
    const info = join(packages, pkg, "dist", ".tsbuildinfo");
    const builtAt = mtime(info);
    if (builtAt === null) throw new Error(`packages/${pkg}/dist is missing: run \`npx tsc -b\` first`);
    const newest = newestUnder(join(packages, pkg, "src"));
    if (newest.at > builtAt)
      throw new Error(
        `packages/${pkg}/dist is older than ${newest.path}: run \`npx tsc -b\` (or \`npm test\`) first`,
      );
  }
  checked.add(join(packages, name));
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function newestUnder(dir: string): { path: string; at: number } {
  let newest = { path: dir, at: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // Only what tsc compiles: an editor's swap file is not a source.
    const source = entry.isFile() && entry.name.endsWith(".ts");
    const found = entry.isDirectory() ? newestUnder(path) : { path, at: source ? (mtime(path) ?? 0) : 0 };
    if (found.at > newest.at) newest = found;
  }
  return newest;
}
