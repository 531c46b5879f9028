// The state dir holds the TLS keys and the config HAProxy loads: prepareStateDir refuses one inside the
// shared volume (the generated files' directory). Found by a review: the check compared paths as text,
// and took any relative path starting with ".." for one outside the volume, so `<volume>/..state` (a
// name like Kubernetes' `..data`) passed; so did a state dir reached through a symlink into the volume.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { prepareStateDir } from "../src/setup/prepare-state-dir.ts";
import { StartupError } from "../src/startup-error.ts";

async function volume(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "rh-state-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, "volume"));
  return root;
}

for (const name of ["state", "..state", "sub/..state"])
  test(`a state dir inside the volume is refused, even named ${JSON.stringify(name)}`, async (t) => {
    const root = await volume(t);
    const stateDir = join(root, "volume", name);
    await assert.rejects(prepareStateDir(stateDir, [join(root, "volume", "domain.map")]), StartupError);
    await assert.rejects(stat(stateDir), { code: "ENOENT" }, "nothing is created in the volume");
  });

test("a state dir reached through a symlink into the volume is refused", async (t) => {
  const root = await volume(t);
  await symlink(join(root, "volume"), join(root, "private"));
  const stateDir = join(root, "private", "state");
  await assert.rejects(prepareStateDir(stateDir, [join(root, "volume", "domain.map")]), StartupError);
});

test("a state dir beside the volume, or named `..` something beside it, is accepted", async (t) => {
  const root = await volume(t);
  const files = [join(root, "volume", "domain.map")];
  await prepareStateDir(join(root, "state"), files);
  await prepareStateDir(join(root, "..state"), files);
  assert.ok((await stat(join(root, "..state"))).isDirectory());
});
