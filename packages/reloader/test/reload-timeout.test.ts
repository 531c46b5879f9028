// A reload the master does not confirm within --reload-timeout (its re-execution takes longer: a large
// config to parse) leaves `current` on the new snapshot: the master may still be reading its files through
// `current`, and pointing it back then could load one generation's base config with another's backends.
// The snapshot passed haproxy -c, so whatever the master loads is consistent, and the retry confirms it.
// A fixture stands in for a slow master: while `slow` exists, its next re-execution (`-sf`) sleeps 4 s
// before the real HAProxy takes over.
import assert from "node:assert/strict";
import { chmod, readlink, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appFixture } from "./helpers/app-fixture.ts";

const routes = routesTo;

test("a reload not confirmed in time leaves `current` on the new snapshot (no mixed load), and the change goes live", async (t) => {
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(
    t,
    ["127.0.0.63", "127.0.0.64"],
    {
      deferStart: true,
    },
    "web",
  );
  // bash under a name holding "haproxy", so /proc shows the sleeping master as an HAProxy.
  const shell = join(fixture.dir, "haproxy-sh");
  await symlink("/bin/bash", shell);
  const bin = join(fixture.dir, "slow-haproxy");
  const slow = join(fixture.dir, "slow");
  await writeFile(
    bin,
    `#!${shell}
if [[ -e ${slow} && " $* " == *" -sf "* ]]; then rm -f ${slow}; sleep 4; fi
exec -a "$0" /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  const reloader = await fixture.start(["--haproxy-bin", bin, "--reload-timeout", "2s"]);
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });

  const from = reloader.logs.length;
  await writeFile(slow, "");
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "web", servers: [{ address: web.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "web" }),
  });
  const failed = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  assert.match(String(failed["reason"]), /not confirmed/);
  assert.equal(failed["keptGeneration"], null, "nothing pointed back");
  assert.equal(
    await readlink(join(fixture.stateDir, "current")),
    `gen-${String(failed["generation"])}`,
    "`current` stays on the snapshot the master may still be loading",
  );
  await reloader.waitForEvent("reload.applied", { from, timeoutMs: 30_000 });
  await waitFor(routes(fixture.url, "www.dev.tld", "web"), { timeoutMs: 5000, message: "the change live" });
  assert.ok(await routes(fixture.url, "app.dev.tld", "app")(), "app still routed");
});
