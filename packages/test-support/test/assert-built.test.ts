// assertBuilt, on a packages dir of its own: a missing build or one older than a source file (the
// program's or core's) is refused naming `npx tsc -b`; a build newer than every source passes.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { assertBuilt } from "../src/pair/assert-built.ts";

test("a missing or stale build is refused, a fresh one passes", async (t) => {
  const packages = await mkdtemp(join(tmpdir(), "rh-built-"));
  t.after(() => rm(packages, { recursive: true, force: true }));
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
  for (const pkg of ["reloader", "core"]) {
    await mkdir(join(packages, pkg, "src", "deep"), { recursive: true });
    await writeFile(join(packages, pkg, "src", "deep", "a.ts"), "");
    await utimes(join(packages, pkg, "src", "deep", "a.ts"), at(10), at(10));
  }
  assert.throws(() => assertBuilt("reloader", packages), /reloader\/dist is missing: run `npx tsc -b`/);
  for (const pkg of ["reloader", "core"]) {
    await mkdir(join(packages, pkg, "dist"));
    await writeFile(join(packages, pkg, "dist", ".tsbuildinfo"), "");
  }
  await utimes(join(packages, "reloader", "dist", ".tsbuildinfo"), at(20), at(20));
  await utimes(join(packages, "core", "dist", ".tsbuildinfo"), at(5), at(5));
  assert.throws(() => assertBuilt("reloader", packages), /core\/dist is older than .*deep\/a\.ts/);
  await utimes(join(packages, "core", "dist", ".tsbuildinfo"), at(20), at(20));
  assertBuilt("reloader", packages);
});
