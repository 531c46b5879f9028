// The state dir holds the TLS keys and the config HAProxy loads: prepareStateDir refuses one inside the
// shared volume (the generated files' directory). Found by a review: the check compared paths as text,
// and took any relative path starting with ".." for one outside the volume, so `<volume>/..state` (a
// name like Kubernetes' `..data`) passed; so did a state dir reached through a symlink into the volume.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
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

// Found by a review: `RELOADER_STATE_DIR=/tmp` (root owns it) passed the owner check and the start
// chmodded /tmp to 0700, so every other program lost its temp dir. A shared directory (sticky or
// writable by anyone) is not a private one: refused, its mode left alone.
for (const mode of [0o1777, 0o777])
  test(`an existing shared directory (mode ${mode.toString(8)}) is refused and keeps its mode`, async (t) => {
    const root = await volume(t);
    const shared = join(root, "tmp");
    await mkdir(shared);
    await chmod(shared, mode);
    await assert.rejects(
      prepareStateDir(shared, [join(root, "volume", "domain.map")]),
      (error: unknown) =>
        error instanceof StartupError && error.message.includes(`RELOADER_STATE_DIR=${shared}`),
    );
    assert.equal((await stat(shared)).mode & 0o7777, mode);
  });

test("a state dir of its own left loose (0755) is set back to 0700", async (t) => {
  const root = await volume(t);
  const own = join(root, "state");
  await mkdir(own);
  await chmod(own, 0o755);
  await prepareStateDir(own, [join(root, "volume", "domain.map")]);
  assert.equal((await stat(own)).mode & 0o7777, 0o700);
});

// A mount of its own is the reloader's alone although world-writable: Docker's `tmpfs:` mounts are 1777
// unless told otherwise, and refusing it as a shared directory would stop a reloader started that way.
// Needs mount(8), as state-dir-full.test.ts.
test("a tmpfs mounted for the state dir (mode 1777) is accepted and set to 0700", async (t) => {
  const root = await volume(t);
  const mounted = join(root, "state");
  await mkdir(mounted);
  await promisify(execFile)("mount", ["-t", "tmpfs", "-o", "size=64k,mode=1777", "tmpfs", mounted]);
  try {
    assert.equal((await stat(mounted)).mode & 0o7777, 0o1777);
    await prepareStateDir(mounted, [join(root, "volume", "domain.map")]);
    assert.equal((await stat(mounted)).mode & 0o7777, 0o700);
  } finally {
    await promisify(execFile)("umount", [mounted]);
  }
});
