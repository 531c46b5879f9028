// A reloader whose reloads the master keeps refusing stages a snapshot for each retry (`current` stays
// on the one the workers run, gen-R, older than them); killed and started again, it adopts the master,
// stages one more and points `current` at it. The prune after that kept `current` and the newest three
// only, so gen-R was removed before the adoption's reload was judged: refused, `current` could not go
// back (adopt-master.ts points back only at a snapshot still on disk) and stayed on the refused one,
// which a restart of HAProxy would load, while the workers served from a snapshot no longer on disk.
import assert from "node:assert/strict";
import { access, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { killIfHaproxy, reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("a restart's prune keeps the snapshot an adopted master's workers run until its reload is judged", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.88.1", "127.0.88.2"], { deferStart: true }, "web");
  const { bin, flag: refuse, bad } = await reexecHaproxy(fixture.dir, { addBad: true });
  const first = await fixture.start(["--haproxy-bin", bin]);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  const running = await readlink(join(fixture.stateDir, "current"));

  // The master refuses every reload from now on: each retry stages (and keeps) a newer snapshot.
  await writeFile(bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(refuse, "");
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "web", servers: [{ address: web.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "web" }),
  });
  await waitFor(() => first.logs.filter((line) => line["event"] === "reload.failed").length >= 3, {
    timeoutMs: 30_000,
    message: "three refused reloads",
  });
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  const second = await fixture.start(["--haproxy-bin", bin]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  const failed = await second.waitForEvent("adopt.reload-failed");
  assert.equal(failed["kind"], "rejected");
  await access(join(fixture.stateDir, running)); // still on disk
  assert.equal(`gen-${String(failed["keptGeneration"])}`, running, "pointed back at the running snapshot");
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the adopted workers still serve");
});
