// Temp files a killed reloader left (found by a review): writeFileAtomic's `.<name>.<pid>.<hex>.tmp` in
// the state dir, its certs/ and beside HAPROXY_CONFIG, and a switch's `current.<pid>.tmp` link stayed
// for ever; the next start removes them, and only them.
import assert from "node:assert/strict";
import { access, lstat, mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { createFixture } from "./helpers/fixture.ts";

test("a start removes the temp files a killed reloader left, and nothing else", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true });
  await mkdir(join(fixture.stateDir, "certs"), { recursive: true, mode: 0o700 });
  const stale = [
    join(fixture.stateDir, ".haproxy.pid.4242.deadbeef.tmp"),
    join(fixture.stateDir, ".haproxy.cfg.4242.0badf00d.tmp"),
    join(fixture.stateDir, "certs", ".server.pem.4242.cafebabe.tmp"),
    join(dirname(fixture.baseConfig), ".haproxy.cfg.4242.12345678.tmp"),
  ];
  const kept = [
    join(fixture.stateDir, "notes.tmp"),
    join(fixture.stateDir, ".haproxy.cfg.tmp"),
    join(dirname(fixture.baseConfig), ".other.cfg.4242.12345678.tmp"),
  ];
  for (const path of [...stale, ...kept]) await writeFile(path, "left behind\n");
  const link = join(fixture.stateDir, "current.4242.tmp");
  await symlink("gen-9", link);

  const reloader = await fixture.start();
  const logged = reloader.logs.find((line) => line.event === "state.stale-temps");
  assert.equal(logged?.["count"], stale.length + 1, JSON.stringify(logged));
  for (const path of [...stale, link])
    await assert.rejects(lstat(path), { code: "ENOENT" }, `${path} removed`);
  for (const path of kept) await access(path);
});
