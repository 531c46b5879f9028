// A `kept` link outlives the master it was about: a reloader killed during a switch leaves it naming the
// snapshot the workers ran; that master dies too, and the next reloader starts a master of its own from
// `current` (not adopting: the link means nothing to it) and is killed before that master is confirmed
// ready. The reloader after it adopts that master, and when the master refuses its adoption reload,
// `current` must go back to the snapshot the master runs, not to the one the stale link names (found by
// a review: "current is back on gen-1", a snapshot none of its workers ever ran, without the stack added
// since, which a restart of HAProxy would then load). A stand-in haproxy sleeps 3 s in the switch's
// re-execution and adds a bad config file; a wrapper around it sleeps 3 s in the second master's start.
import assert from "node:assert/strict";
import { access, chmod, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { haproxyMasters, waitFor } from "../../test-support/src/haproxy/index.ts";
import { refuseThenAddWeb, startRefusingScenario } from "./helpers/adopt-scenario.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";
import { routesTo } from "./helpers/routes-to.ts";

const exists = (path: string) => () =>
  access(path).then(
    () => true,
    () => false,
  );

test("a master started by a reloader killed before it was ready is adopted with `current`, not a stale `kept` link", async (t) => {
  const { app, web, fixture, stand, first, masterPid, running } = await startRefusingScenario(
    t,
    ["127.0.0.235", "127.0.0.236"],
    { sleepSeconds: 3 },
  );
  const kept = join(fixture.stateDir, "kept");
  const current = join(fixture.stateDir, "current");
  // Killed during the switch's reload: the `kept` link names the snapshot the workers ran.
  await refuseThenAddWeb(fixture, stand, { app: app.address, web: web.address });
  await waitFor(async () => !(await exists(stand.flag)()), { timeoutMs: 10_000, message: "the reload" });
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  assert.equal(await readlink(kept), running);
  await waitFor(exists(stand.woke), { timeoutMs: 10_000, message: "the master's re-execution" });
  // Then that master dies, with its workers.
  process.kill(-masterPid, "SIGKILL");
  await waitFor(() => haproxyMasters(fixture.stateDir).length === 0, { timeoutMs: 5000, message: "gone" });

  // The next reloader starts its own master (slowly) and is killed before the master is ready.
  const slowFlag = join(fixture.dir, "slow-start");
  const slow = join(fixture.dir, "slow-haproxy");
  await writeFile(
    slow,
    `#!${join(fixture.dir, "haproxy-sh")}
if [[ -e ${slowFlag} && " $* " != *" -sf "* ]]; then rm -f ${slowFlag}; sleep 3; fi
exec ${stand.bin} "$@"
`,
  );
  await chmod(slow, 0o755);
  await writeFile(slowFlag, "");
  const starting = fixture.start(["--haproxy-bin", slow]).catch(() => null);
  const second = fixture.reloader;
  const secondMaster = Number((await second.waitForEvent("haproxy.started"))["pid"]);
  t.after(() => killIfHaproxy(secondMaster));
  process.kill(second.pid, "SIGKILL");
  await starting;
  // Its master comes up on the snapshot `current` names, with the new stack.
  await waitFor(routesTo(fixture.url, "www.dev.tld", "web"), { timeoutMs: 15_000, message: "second master" });
  const runs = await readlink(current);
  assert.notEqual(runs, running);

  // The next reloader adopts it; the master refuses the adoption reload.
  await writeFile(stand.flag, "");
  const third = await fixture.start(["--haproxy-bin", stand.bin]);
  assert.equal((await third.waitForEvent("haproxy.adopted"))["pid"], secondMaster);
  const failed = await third.waitForEvent("adopt.reload-failed");
  assert.equal(failed["kind"], "rejected");
  // Until 2026-12-04: back on the stale link's snapshot, which never ran on this master.
  assert.notEqual(`gen-${String(failed["keptGeneration"])}`, running);
  assert.equal(await readlink(current), runs, "current names what the workers run");
  assert.ok(await routesTo(fixture.url, "www.dev.tld", "web")(), "the adopted workers still serve");
});
