// The inputs' directory replaced by a symlink loop (`etc -> etc`): the reloader refused both files as
// "is a symlink (not followed)", in its log and in /healthz, though neither file is a link; the user
// looked for links at the files' paths. The reason now names the loop; a real link at a file's path is
// still said to be one, and the files are applied again once the directory is back.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { readInputFile } from "../src/sources/read-inputs.ts";
import { createFixture } from "./helpers/fixture.ts";

const LOOP = "cannot be opened (ELOOP: a directory on its path is a symlink loop)";

test("ELOOP is told apart: a link at the file's path, a loop on its directory path, a followed loop", async (t) => {
  const root = await mkdtemp(join(tmpdir(), "rh-loop-"));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, "real"));
  await writeFile(join(root, "real", "domain.map"), "");
  await symlink(join(root, "real", "domain.map"), join(root, "link.map"));
  await symlink(join(root, "self.map"), join(root, "self.map"));
  await symlink("loop", join(root, "loop"));
  const reason = async (path: string, follow = false) => {
    const read = await readInputFile(path, follow);
    return read.ok ? "read" : read.reason;
  };
  assert.equal(await reason(join(root, "link.map")), "is a symlink (not followed)");
  assert.equal(await reason(join(root, "self.map")), "is a symlink (not followed)");
  assert.equal(await reason(join(root, "loop", "domain.map")), LOOP);
  assert.equal(await reason(join(root, "self.map"), true), "cannot be opened (ELOOP: a symlink loop)");
  assert.equal(await reason(join(root, "link.map"), true), "read");
});

test("the inputs' directory swapped for a symlink loop: the reloader's refusal names the loop, and the files apply once it is gone", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.73" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--rescan-interval", "1s"],
  });
  const healthUrl = `${String((await fixture.reloader.waitForEvent("status.listening"))["url"])}/healthz`;
  const etc = join(fixture.dir, "etc");
  const from = fixture.reloader.logs.length;
  await rename(etc, `${etc}.away`);
  await symlink("etc", etc);
  const said = await fixture.reloader.waitForEvent("inputs.unreadable", { from, timeoutMs: 15_000 });
  assert.deepEqual(said["unreadable"], [
    { path: fixture.backendConfig, reason: LOOP },
    { path: fixture.domainMap, reason: LOOP },
  ]);
  await waitFor(
    async () => {
      const body = (await (await fetch(healthUrl)).json()) as { reason: string };
      return body.reason.startsWith(`${fixture.backendConfig} ${LOOP}, ${fixture.domainMap} ${LOOP}`);
    },
    { timeoutMs: 5000, message: "/healthz names the loop" },
  );
  const back = fixture.reloader.logs.length;
  await rm(etc);
  await rename(`${etc}.away`, etc);
  await fixture.reloader.waitForEvent("inputs.live", { from: back, timeoutMs: 15_000 });
});
