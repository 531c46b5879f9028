// The signals a container may get besides the stops (SIGTERM, SIGINT, SIGHUP) are ignored, each logged
// (reloader.signal-ignored): node's default ended the reloader at once on SIGUSR2 or SIGQUIT (HAProxy
// orphaned until a new reloader adopted it), and SIGUSR1 opened node's inspector on 127.0.0.1:9229, a
// debugger port in a production container. The image's entrypoint ignores them too; these reach the
// reloader only when sent to it directly (`docker exec ... kill`, any local process).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  haproxyMasters,
  httpRequest,
  renderTestBackends,
  renderTestMap,
  repoPath,
  startBackend,
  waitFor,
} from "@rancher-haproxy/test-support";
import { createFixture } from "./helpers/fixture.ts";

const SIGUSR1_AT_CLI_IMPORT = repoPath("packages", "test-support", "fixtures", "sigusr1-at-cli-import.mjs");

test("SIGUSR1, SIGUSR2, SIGQUIT and SIGXFSZ are ignored (logged; no inspector opened): HAProxy keeps serving, SIGTERM still stops it gracefully", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.77.1" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const serves = async () =>
    (await httpRequest({ url: fixture.url, host: "app.dev.tld", timeoutMs: 2000 }).catch(() => null))
      ?.body === "app";
  await waitFor(serves, { timeoutMs: 10_000, message: "app routed" });
  const masters = haproxyMasters(fixture.stateDir);
  const { reloader } = fixture;
  // SIGXFSZ too: node starts with it ignored, but execa's signal-exit adds a listener for each subprocess
  // and removes it after, and node then restores the default, not the ignore: a reloader that had run
  // `haproxy -c` died of SIGXFSZ (or of a write past RLIMIT_FSIZE), HAProxy orphaned.
  for (const signal of ["SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGXFSZ"] as const) {
    process.kill(reloader.pid, signal);
    await reloader.waitForEvent("reloader.signal-ignored", { match: (line) => line["signal"] === signal });
  }
  assert.ok(await serves(), "still routed");
  assert.deepEqual(haproxyMasters(fixture.stateDir), masters, "the same master");
  assert.equal(reloader.count("reloader.shutdown"), 0);
  assert.deepEqual(await reloader.stop(), { code: 0, signal: null });
  assert.equal(reloader.count("haproxy.stopped"), 1, "stopped gracefully");
  assert.ok(!reloader.logs.some((line) => JSON.stringify(line).includes("Debugger listening")));
});

// A SIGUSR1 before cli.js's first statement, while its modules load (≈ 25 ms, under load), opened the
// inspector: cli.js installed the listeners that keep it shut only once loaded, and bin/reloader.js
// imported it statically (loaded before the launcher's own first statement). The launcher installs them
// now, then imports cli.js. The fixture sends SIGUSR1 as the launcher asks for cli.js, a fixed point
// instead of a race; the inspector on a free port, so no other node on this machine is in the way.
test("SIGUSR1 while cli.js is still loading is ignored (logged once the logger exists; no inspector opened): the reloader serves, SIGTERM stops it", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.77.2" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    env: { NODE_OPTIONS: `--import=${SIGUSR1_AT_CLI_IMPORT} --inspect-port=0` },
  });
  const { reloader } = fixture;
  const inspector = (line: object) => /Debugger listening|Starting inspector/.test(JSON.stringify(line));
  await waitFor(() => reloader.count("reloader.signal-ignored") > 0 || reloader.logs.some(inspector), {
    timeoutMs: 10_000,
    message: "SIGUSR1 logged, or the inspector opened",
  });
  assert.deepEqual(reloader.logs.filter(inspector), []);
  assert.deepEqual(
    reloader.logs
      .filter((line) => line.event === "reloader.signal-ignored")
      .map((line) => [line["signal"], line["times"]]),
    [["SIGUSR1", 1]],
  );
  const serves = async () =>
    (await httpRequest({ url: fixture.url, host: "app.dev.tld", timeoutMs: 2000 }).catch(() => null))
      ?.body === "app";
  await waitFor(serves, { timeoutMs: 10_000, message: "app routed" });
  assert.deepEqual(await reloader.stop(), { code: 0, signal: null });
  assert.equal(reloader.count("haproxy.stopped"), 1, "stopped gracefully");
  assert.deepEqual(reloader.logs.filter(inspector), []);
});
