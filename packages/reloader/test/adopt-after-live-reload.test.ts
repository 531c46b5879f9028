// A reloader killed after its switch's reload went live, before it read the verdict (and removed the
// `kept` link), left the link naming the snapshot before it. The next reloader adopted the master and
// took the link as what the workers run: when the master refused the adoption reload, `current` went
// "back" to a snapshot the workers no longer ran (found by a review), the one a restart of HAProxy
// loads. The reloader is stopped (SIGSTOP) while the stand-in haproxy sleeps in the switch's
// re-execution, and killed once the master counts that reload; the stand-in refuses the next one.
import assert from "node:assert/strict";
import { access, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { readReloadCounter, waitFor } from "../../test-support/src/haproxy/index.ts";
import { refuseThenAddWeb, startRefusingScenario } from "./helpers/adopt-scenario.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("after a reloader killed once its switch went live, a refused adoption reload points `current` at what the workers run", async (t) => {
  const { app, web, fixture, stand, first, masterPid } = await startRefusingScenario(
    t,
    ["127.0.0.153", "127.0.0.154"],
    { sleepSeconds: 2 },
  );
  const before = await readReloadCounter(fixture.stateDir);
  await refuseThenAddWeb(fixture, stand, { app: app.address, web: web.address });
  await writeFile(stand.bad, ""); // this re-execution loads the switch's snapshot
  // The switch's reload is sent: the master re-executes (the stand-in takes its flag) and sleeps 2 s.
  const gone = async () =>
    access(stand.flag).then(
      () => false,
      () => true,
    );
  await waitFor(gone, { timeoutMs: 10_000, message: "the switch's reload" });
  process.kill(first.pid, "SIGSTOP");
  const switched = await readlink(join(fixture.stateDir, "current"));
  await waitFor(
    async () => {
      const now = await readReloadCounter(fixture.stateDir, 1000).catch(() => null);
      return now !== null && now.reloads > before.reloads && now.failed === 0 && now.workerPid !== null;
    },
    { timeoutMs: 15_000, message: "the switch's reload live" },
  );
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  assert.ok(await routesTo(fixture.url, "www.dev.tld", "web")(), "the workers run the switch's snapshot");

  await writeFile(stand.bad, "frontend rh_bad\n    bogus-keyword\n"); // the adoption reload is refused
  const second = await fixture.start(["--haproxy-bin", stand.bin]);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  const failed = await second.waitForEvent("adopt.reload-failed");
  assert.equal(failed["kind"], "rejected");
  assert.equal(`gen-${String(failed["keptGeneration"])}`, switched, "pointed back at what the workers run");
  assert.equal(await readlink(join(fixture.stateDir, "current")), switched);
  assert.ok(await routesTo(fixture.url, "www.dev.tld", "web")(), "the adopted workers still serve it");
});
