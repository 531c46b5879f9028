// docker-entrypoint.sh when the reloader dies during a stop: it is started again at once and given the
// stop, so that HAProxy still stops gracefully; but at most three times, so a reloader that dies in every
// stop does not loop until the container is killed. A fake reloader (RANCHER_HAPROXY_APP) that exits 3
// (an uncaught error that left HAProxy running) on every SIGTERM stands in for one.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { wrapLoggedChild } from "@rancher-haproxy/test-support";
import { ROOT } from "./helpers/deploy-files.ts";

const FAKE_RELOADER = `
process.on("SIGHUP", () => {});
process.on("SIGTERM", () => process.exit(3));
console.log(JSON.stringify({ event: "fake.started" }));
setInterval(() => {}, 1000);
`;

test("a reloader that exits 3 in every stop is started again three times, then the entrypoint exits 3", async (t) => {
  const app = await mkdtemp(join(tmpdir(), "rh-entry-"));
  t.after(() => rm(app, { recursive: true, force: true }));
  await mkdir(join(app, "reloader", "bin"), { recursive: true });
  await writeFile(join(app, "reloader", "bin", "reloader.js"), FAKE_RELOADER);
  const child = spawn("sh", [join(ROOT, "docker-entrypoint.sh"), "haproxy"], {
    env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", RANCHER_HAPROXY_APP: app },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const entrypoint = wrapLoggedChild(child, { label: "entrypoint" });
  t.after(() => entrypoint.stop({ signal: "SIGKILL" }));
  await entrypoint.waitForEvent("fake.started", { timeoutMs: 10_000 });
  process.kill(entrypoint.pid, "SIGTERM");
  assert.deepEqual(await entrypoint.exited, { code: 3, signal: null });
  const died = entrypoint.logs.filter((line) => line.event === "entrypoint.reloader-died");
  assert.deepEqual(
    died.map((line) => [line["exitCode"], line["restartInS"]]),
    [
      [3, 0.1],
      [3, 0.1],
      [3, 0.1],
    ],
  );
  assert.equal(entrypoint.count("fake.started"), 4, "the first reloader and three restarts");
});
