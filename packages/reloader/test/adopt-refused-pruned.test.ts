// A reloader whose reloads the master keeps refusing stages a snapshot for each retry (`current` stays
// on the one the workers run, gen-R, older than them); killed and started again, it adopts the master,
// stages one more and points `current` at it. The prune after that kept `current` and the newest three
// only, so gen-R was removed before the adoption's reload was judged: refused, `current` could not go
// back (adopt-master.ts points back only at a snapshot still on disk) and stayed on the refused one,
// which a restart of HAProxy would load, while the workers served from a snapshot no longer on disk.
import assert from "node:assert/strict";
import { access, readlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { refuseThenAddWeb, startRefusingScenario } from "./helpers/adopt-scenario.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("a restart's prune keeps the snapshot an adopted master's workers run until its reload is judged", async (t) => {
  const { app, web, fixture, stand, first, masterPid, running } = await startRefusingScenario(t, [
    "127.0.88.1",
    "127.0.88.2",
  ]);

  // The master refuses every reload from now on: each retry stages (and keeps) a newer snapshot.
  await refuseThenAddWeb(fixture, stand, { app: app.address, web: web.address });
  await waitFor(() => first.logs.filter((line) => line["event"] === "reload.failed").length >= 3, {
    timeoutMs: 30_000,
    message: "three refused reloads",
  });
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  const second = await fixture.start(["--haproxy-bin", stand.bin]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  const failed = await second.waitForEvent("adopt.reload-failed");
  assert.equal(failed["kind"], "rejected");
  await access(join(fixture.stateDir, running)); // still on disk
  assert.equal(`gen-${String(failed["keptGeneration"])}`, running, "pointed back at the running snapshot");
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the adopted workers still serve");
});
