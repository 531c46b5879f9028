// A reload not confirmed within --reload-timeout leaves `current` on its snapshot while the master may
// still be reading it; when the master answers again and reports that reload refused ([failed]), the old
// workers serve the snapshot before it, and `current` goes back there (found by a review: it stayed on the
// refused snapshot, every rejected retry pointed it "back" there again, and the snapshot the serving
// worker runs was pruned, so a restart could only load the refused one). A fixture stands in for a slow
// master whose re-execution then fails: while `slow` exists, its next re-execution (`-sf`) sleeps 4 s and
// adds `-f bad.cfg` (kept for its later re-executions, as HAProxy re-executes with its own arguments).
import assert from "node:assert/strict";
import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

test("a timed-out reload the master then refuses points `current` back at the snapshot the workers run", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(t, ["127.0.0.67", "127.0.0.68"], { deferStart: true }, "web");
  const { bin, flag: slow, bad } = await reexecHaproxy(fixture.dir, { sleepSeconds: 4, addBad: true });
  const reloader = await fixture.start(["--haproxy-bin", bin, "--reload-timeout", "2s"]);
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  const running = await readlink(join(fixture.stateDir, "current"));

  const from = reloader.logs.length;
  await writeFile(bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(slow, "");
  await fixture.write(appAndWebFiles(app.address, web.address));
  const timedOut = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  assert.match(String(timedOut["reason"]), /not confirmed/);
  // The retry once the master answers: refused like the timed-out one, pointed back.
  const refused = await waitFor(
    () =>
      reloader.logs
        .slice(from)
        .find((line) => line.event === "reload.failed" && line["keptGeneration"] != null) ?? null,
    { timeoutMs: 30_000, message: "a retry refused by the master" },
  );
  assert.equal(
    `gen-${String(refused["keptGeneration"])}`,
    running,
    "the refused retry points `current` back at the snapshot the serving worker runs",
  );
  assert.equal(await readlink(join(fixture.stateDir, "current")), running);
  assert.ok(await routesTo(fixture.url, "app.dev.tld", "app")(), "the old worker still serves");
  const settled = reloader.logs.slice(from).find((line) => line.event === "reload.settled");
  assert.equal(settled?.["outcome"], "refused", "the master's late verdict is read");
  assert.equal(`gen-${String(settled?.["keptGeneration"])}`, running, "and `current` goes back");

  // The cause gone, the change goes live.
  const fixed = reloader.logs.length;
  await writeFile(bad, "");
  await reloader.waitForEvent("reload.applied", { from: fixed, timeoutMs: 60_000 });
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
});
