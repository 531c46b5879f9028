// A reloader restarted (SIGKILL, a crash) while every `haproxy -c` fails for the environment's sake (a
// SYSLOG_HOST name during a DNS outage, which HAProxy resolves while parsing) adopts the master that
// still serves, instead of exiting 1: in the image an exit 1 ends the entrypoint and the container, and
// with it the HAProxy that served. The inputs are not refused for good either: once the checks pass
// again they go live without another write (found by a review, 2026-12-04). A fixture script stands in
// for haproxy: while its `dns-down` file exists, `-c` fails as an unresolvable log host makes it fail.
import assert from "node:assert/strict";
import { chmod, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import {
  haproxyMasters as masters,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { killIfHaproxy } from "./helpers/reexec-haproxy.ts";

test("a restart while every haproxy -c fails for the environment: the running master is adopted, not left to die with an exit 1", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.181" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.0.182" });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
  });
  const bin = join(fixture.dir, "env-haproxy");
  const down = join(fixture.dir, "dns-down");
  await writeFile(
    bin,
    `#!/bin/sh
case " $* " in *" -c "*)
  if [ -f ${down} ]; then
    echo "[ALERT]    (1) : config : parsing [haproxy.cfg:5] : 'log' : could not resolve address 'logs.example'." >&2
    exit 1
  fi;;
esac
exec /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  const args = ["--haproxy-bin", bin];
  const first = await fixture.start(args);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  // The outage begins; the generator writes a new stack meanwhile.
  await writeFile(down, "");
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "fresh", servers: [{ address: fresh.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
  });
  const second = await fixture.start(args, {});
  const adopted = await second.waitForEvent("haproxy.adopted");
  assert.equal(adopted["pid"], masterPid);
  assert.equal(second.count("haproxy.started"), 0, "no second HAProxy was started");
  assert.equal(second.count("start.empty-routing"), 0, "the adopted master was not emptied");
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 3000, message: "app routed" });
  assert.deepEqual(masters(fixture.stateDir), [masterPid], "exactly one master, the adopted one");

  // The first pass finds the running snapshot failing too and retries; the outage ends: the files
  // written during it go live with no new write.
  await second.waitForEvent("apply.retry");
  const from = second.logs.length;
  await rm(down);
  await second.waitForEvent("reload.applied", { from, timeoutMs: 20_000 });
  await waitFor(routesTo(fixture.url, "fresh.dev.tld", "fresh"), { timeoutMs: 3000, message: "fresh" });
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 3000, message: "app" });
  assert.deepEqual(masters(fixture.stateDir), [masterPid], "still the adopted master");
});
