// A temp dir (removed after the test) holding the reloader's three input files, for in-process tests of
// the applier's pass with the real store.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { InputPaths } from "../../src/sources/read-inputs.ts";

// The dir (prefix `prefix`) and the paths of its base config, backends file and domain map, written with
// `contents`.
export async function inputFilesDir(
  t: TestContext,
  prefix: string,
  contents: Record<keyof InputPaths, string>,
): Promise<{ dir: string; paths: InputPaths }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const paths = {
    base: join(dir, "base.cfg"),
    backends: join(dir, "backends.cfg"),
    map: join(dir, "domain.map"),
  };
  for (const key of ["base", "backends", "map"] as const) await writeFile(paths[key], contents[key]);
  return { dir, paths };
}
