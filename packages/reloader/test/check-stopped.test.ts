// A `haproxy -c` that ran but gave no verdict (timed out, or killed by a signal such as the OOM killer
// under a memory spike) says nothing about the snapshot: it refuses nothing. At start-up the inputs are
// checked again by the first pass, the last good snapshot is started from even when its own check gets no
// verdict either (empty routing only when there is none), and at runtime the pass fails and is retried
// with backoff, so the same bytes are applied once the spike is over. Only a binary that cannot be run at
// all is a bad option. A fixture script stands in for haproxy: while its `spike` file exists it kills
// itself when the files it is asked to check declare `backend oom`, and runs the real /usr/sbin/haproxy
// otherwise.
import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { readStatus } from "../../test-support/src/status/index.ts";
import { checkConfig } from "../src/haproxy/check-config.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";

const routes = routesTo;

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rh-check-stopped-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// An haproxy whose `-c` of files declaring `backend oom` is SIGKILLed while `spike` exists (each such run
// appends a line to `runs`); everything else is the real HAProxy.
async function oomHaproxy(dir: string): Promise<{ bin: string; runs: string; spike: string }> {
  const bin = join(dir, "oom-haproxy");
  const runs = join(dir, "oom-runs");
  const spike = join(dir, "spike");
  await writeFile(
    bin,
    `#!/bin/sh
case " $* " in *" -c "*)
  for a in "$@"; do
    if [ -f ${spike} ] && [ -f "$a" ] && grep -q '^backend oom$' "$a"; then echo killed >> ${runs}; kill -KILL $$; fi
  done;;
esac
exec /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  await writeFile(spike, "");
  return { bin, runs, spike };
}

const killedRuns = async (runs: string) =>
  (await readFile(runs, "utf8").catch(() => "")).split("\n").filter(Boolean).length;

test("checkConfig: a check that times out or is killed has stopped, one whose binary is missing has a spawn error", async (t) => {
  const dir = await scratch(t);
  const config = join(dir, "haproxy.cfg");
  await writeFile(config, "global\n");
  const sleeping = join(dir, "sleeping-haproxy");
  await writeFile(sleeping, "#!/bin/sh\nexec sleep 30\n");
  const killed = join(dir, "killed-haproxy");
  await writeFile(killed, "#!/bin/sh\nkill -KILL $$\n");
  await Promise.all([chmod(sleeping, 0o755), chmod(killed, 0o755)]);

  const timedOut = await checkConfig(sleeping, [config], 300);
  assert.equal(timedOut.ok, false);
  assert.equal(timedOut.spawnError, null);
  assert.equal(timedOut.stopped, "haproxy -c timed out after 300 ms");

  const signalled = await checkConfig(killed, [config]);
  assert.equal(signalled.ok, false);
  assert.equal(signalled.spawnError, null);
  assert.equal(signalled.stopped, "haproxy -c was killed by SIGKILL");

  const missing = await checkConfig(join(dir, "no-such-haproxy"), [config]);
  assert.equal(missing.ok, false);
  assert.match(String(missing.spawnError), /ENOENT/);
  assert.equal(missing.stopped, null);
});

test("haproxy -c killed at start-up refuses nothing: empty routing only without a last good snapshot, the same files applied once the spike is over", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.58" });
  t.after(() => app.close());
  const withOom = renderTestBackends([
    { name: "app", servers: [{ address: app.address }] },
    { name: "oom", servers: [{ address: app.address }] },
  ]);
  const map = renderTestMap({ "app.dev.tld": "app" });
  const fixture = await createFixture((fn) => t.after(fn), { backends: withOom, map, deferStart: true });
  const { bin, runs, spike } = await oomHaproxy(fixture.dir);

  // No last good snapshot: empty routing for now; the first pass checks the same files again.
  const first = await fixture.start(["--haproxy-bin", bin]);
  const failed = await first.waitForEvent("check.failed");
  assert.equal(failed["stopped"], "haproxy -c was killed by SIGKILL");
  await first.waitForEvent("start.empty-routing");
  await first.waitForEvent("apply.retry", { timeoutMs: 10_000 });
  assert.ok((await killedRuns(runs)) >= 2, "the first pass checked the same files again");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).status, 503);
  await rm(spike);
  await first.waitForEvent("reload.applied", { timeoutMs: 30_000 });
  await waitFor(routes(fixture.url, "app.dev.tld", "app"), { timeoutMs: 2000, message: "the same files" });
  assert.deepEqual(await first.stop(), { code: 0, signal: null });

  // A last good snapshot whose own check gets no verdict either: started from anyway (it passed before).
  await writeFile(spike, "");
  const second = await fixture.start(["--haproxy-bin", bin]);
  const lastGood = await second.waitForEvent("start.last-good");
  assert.equal(lastGood["unchecked"], "haproxy -c was killed by SIGKILL");
  assert.equal(second.count("start.empty-routing"), 0);
  assert.ok(await routes(fixture.url, "app.dev.tld", "app")(), "the last good routing answers");
});

test("haproxy -c killed at runtime refuses nothing: the pass is retried with backoff and the same bytes go live once the spike is over", async (t) => {
  const {
    app,
    other: fresh,
    fixture,
  } = await appFixture(t, ["127.0.0.59", "127.0.0.60"], {
    deferStart: true,
  });
  const { bin, runs, spike } = await oomHaproxy(fixture.dir);
  const reloader = await fixture.start(["--haproxy-bin", bin]);

  // A new backend (a reload, so a check), mapped: its check is killed while the spike lasts.
  const from = reloader.logs.length;
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "oom", servers: [{ address: fresh.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "oom.dev.tld": "oom" }),
  });
  const failed = await reloader.waitForEvent("check.failed", { from });
  assert.equal(failed["stopped"], "haproxy -c was killed by SIGKILL");
  await reloader.waitForEvent("apply.retry", { from });
  await waitFor(async () => (await killedRuns(runs)) >= 2, { timeoutMs: 10_000, message: "a second try" });
  assert.ok(await routes(fixture.url, "app.dev.tld", "app")(), "the running routing still answers");
  await rm(spike);
  await reloader.waitForEvent("reload.applied", { from, timeoutMs: 30_000 });
  await waitFor(routes(fixture.url, "oom.dev.tld", "fresh"), {
    timeoutMs: 2000,
    message: "the same bytes, once the spike is over",
  });
});

// An haproxy whose every `-c` fails like an unresolvable `log` host while `outage` exists (each such run
// appends a line to `runs`; `once`: the outage ends with the first run it fails); everything else is the
// real HAProxy.
async function dnsOutageHaproxy(
  dir: string,
  once = false,
): Promise<{ bin: string; runs: string; outage: string }> {
  const bin = join(dir, "dns-haproxy");
  const runs = join(dir, "dns-runs");
  const outage = join(dir, "outage");
  await writeFile(
    bin,
    `#!/bin/sh
case " $* " in *" -c "*)
  if [ -f ${outage} ]; then
    echo failed >> ${runs}${once ? `\n    rm -f ${outage}` : ""}
    echo "[ALERT]    (1) : config : parsing [$3:5] : 'log' : invalid address: 'syslog.example.invalid:514'" >&2
    exit 1
  fi;;
esac
exec /usr/sbin/haproxy "$@"
`,
  );
  await chmod(bin, 0o755);
  return { bin, runs, outage };
}

// A reloader on dnsOutageHaproxy (`once`: the outage ends with its first failed check), and a new backend
// `web` written while the outage lasts; `from`: the first log line of the change.
async function webDuringOutage(t: TestContext, hosts: [string, string], once = false) {
  const { app, other: fresh, fixture } = await appFixture(t, hosts, { deferStart: true });
  const { bin, runs, outage } = await dnsOutageHaproxy(fixture.dir, once);
  const reloader = await fixture.start(["--haproxy-bin", bin]);
  const from = reloader.logs.length;
  await writeFile(outage, "");
  await fixture.write(appAndWebFiles(app.address, fresh.address));
  return { fixture, reloader, runs, outage, from };
}

test("haproxy -c failing for the environment (the running snapshot fails now too) refuses nothing: retried, applied once it passes", async (t) => {
  const { fixture, reloader, runs, outage, from } = await webDuringOutage(t, ["127.0.0.61", "127.0.0.62"]);
  await reloader.waitForEvent("check.failed", { from });
  const environment = await reloader.waitForEvent("check.environment", { from });
  assert.match(String(environment["reason"]), /running snapshot.*fails haproxy -c now too/);
  await reloader.waitForEvent("apply.retry", { from });
  // Each pass checks the new snapshot and the running one: a fourth run is the same bytes checked again.
  await waitFor(async () => (await killedRuns(runs)) >= 4, { timeoutMs: 10_000, message: "checked again" });
  assert.ok(await routes(fixture.url, "app.dev.tld", "app")(), "the running routing still answers");
  await rm(outage);
  await reloader.waitForEvent("reload.applied", { from, timeoutMs: 30_000 });
  await waitFor(routes(fixture.url, "www.dev.tld", "fresh"), {
    timeoutMs: 2000,
    message: "the same bytes, once the outage is over",
  });
});

test("an outage that ends between the new snapshot's check and the running one's refuses nothing: checked once more, applied", async (t) => {
  const { fixture, reloader, runs, from } = await webDuringOutage(t, ["127.0.0.63", "127.0.0.64"], true);
  await reloader.waitForEvent("check.failed", { from });
  // The running snapshot's check passes (the outage is over): the new one is checked again, not refused.
  await reloader.waitForEvent("reload.applied", { from, timeoutMs: 15_000 });
  assert.equal(await killedRuns(runs), 1, "one check failed for the outage");
  assert.equal(reloader.count("check.environment"), 0);
  await waitFor(routes(fixture.url, "www.dev.tld", "fresh"), {
    timeoutMs: 2000,
    message: "the change, once the outage is over",
  });
});

test("a retry pending for a killed check is cleared when the files change to inputs that are not settled yet", async (t) => {
  const {
    app,
    other: fresh,
    fixture,
  } = await appFixture(t, ["127.0.0.65", "127.0.0.66"], {
    deferStart: true,
  });
  const { bin, spike } = await oomHaproxy(fixture.dir);
  const reloader = await fixture.start(["--haproxy-bin", bin, "--status-port", "0"]);
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  const health = async () => JSON.parse((await readStatus(url, "/healthz")).body) as Record<string, unknown>;

  const from = reloader.logs.length;
  const oom = [
    { name: "app", servers: [{ address: app.address }] },
    { name: "oom", servers: [{ address: fresh.address }] },
  ];
  await fixture.write({
    backends: renderTestBackends(oom),
    map: renderTestMap({ "app.dev.tld": "app", "oom.dev.tld": "oom" }),
  });
  await reloader.waitForEvent("apply.retry", { from });
  assert.notEqual((await health())["retry"], null, "the killed check's retry is pending");

  // The map now names a backend the backends file does not declare yet: nothing to retry, a re-read.
  const next = reloader.logs.length;
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "ghost.dev.tld": "ghost" }) });
  await reloader.waitForEvent("inputs.unsettled", { from: next });
  const body = await health();
  assert.equal(body["retry"], null, `no retry of the files that are gone: ${JSON.stringify(body)}`);
  assert.doesNotMatch(String(body["reason"]), /killed/, "the reason is not the replaced files' retry");
  assert.match(String(body["lastError"]), /"ghost" is not declared/);
  await rm(spike);
});
