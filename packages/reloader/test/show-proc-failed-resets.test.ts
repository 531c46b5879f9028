// readAdoptedGeneration takes a reload counted since the `kept.reloads` note as live only while `show
// proc` says `[failed: 0]`: that holds only if HAProxy 2.6 counts failed reloads since the last good one
// (not ever). A real master refuses one reload, then takes the next: its count must be back to 0.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, waitFor } from "../../test-support/src/haproxy/index.ts";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { reloadMaster } from "../src/haproxy/reload-master.ts";
import { haproxyArgs, spawnHaproxy } from "../src/haproxy/spawn-haproxy.ts";

test("HAProxy 2.6's show proc counts failed reloads since the last good one", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-failed-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const config = join(dir, "haproxy.cfg");
  const good = [
    "defaults",
    "  mode http",
    "  timeout client 5s",
    "  timeout server 5s",
    "  timeout connect 5s",
    "frontend f",
    `  bind 127.0.0.1:${port}`,
    "",
  ].join("\n");
  await writeFile(config, good);
  const socket = join(dir, "master.sock");
  const child = await spawnHaproxy("haproxy", haproxyArgs(socket, [config]), () => undefined);
  t.after(async () => {
    child.signal("SIGTERM");
    await child.exited;
  });
  await waitFor(() => readProc(socket), { timeoutMs: 10_000, message: "the master to answer" });

  await writeFile(config, `${good}not a keyword\n`);
  const refused = await reloadMaster(child, socket, 10_000);
  assert.equal(refused.verdict.ok, false, "the broken config is refused");
  const afterRefusal = await readProc(socket);
  assert.equal(afterRefusal?.failed, 1, "one failed reload");

  await writeFile(config, good);
  const taken = await reloadMaster(child, socket, 10_000);
  assert.equal(taken.verdict.ok, true, JSON.stringify(taken.verdict));
  const afterGood = await readProc(socket);
  assert.equal(afterGood?.reloads, 2);
  assert.equal(afterGood?.failed, 0, "a good reload resets the count");
});
