// HAProxy sets HAPROXY_LOCALPEER to the host name before every parse: each `haproxy -c` and each reload
// read it again, so after `hostname shop` on a running host a --config's `listen "$HAPROXY_LOCALPEER"`
// names `listen shop`. Until 2026-12-05 the reloader read the host name once at start: it still left out
// the stack named like the old host name (for nothing) and kept the one named like the new one, so every
// `haproxy -c` failed (`check.failed`) and no change of any stack went live. The reloader runs here in a
// UTS namespace of its own (the suite runs as root), whose host name the test changes mid-run (nsenter).
// A rename alone (no change of the inputs) is seen at the next rescan, which stages the inputs again:
// until 2026-12-05 `current` kept the stack named like the new host name until the next change, so a
// restart of HAProxy (or a certificate's reload) after the rename failed at every attempt.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  compareWithSnapshot,
  readRuntimeState,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { metricValue, scrapeMetrics } from "../../test-support/src/status/index.ts";
import type { Fixture } from "./helpers/fixture.ts";
import { healthzOk } from "./helpers/healthz-ok.ts";
import { localPeerFixture, setHostName } from "./helpers/local-peer-fixture.ts";
import { outcome } from "./helpers/outcome.ts";
import { renameSeenFirstBy } from "./helpers/rename-seen-first-by.ts";
import { startedWithoutLegacy } from "./helpers/started-without-legacy.ts";
import { THREE_STACK_ROUTES, threeStacks } from "./helpers/three-stacks.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

// The reloader's arguments with the host-name --config `userConfig`, a rescan each `rescanInterval`, and
// debug logs (they show the passes that find nothing to do: inputs.unchanged).
function debugArgs(userConfig: string, rescanInterval: string): string[] {
  return [
    "--config",
    userConfig,
    "--status-port",
    "0",
    "--rescan-interval",
    rescanInterval,
    "--log-level",
    "debug",
  ];
}

// Kills HAProxy's master and waits for the outcome of the restart the reloader logs next (haproxy.ready,
// or haproxy.exited: a master that cannot load `current` exits, and is restarted again).
async function restartOutcome(fixture: Fixture): Promise<string> {
  const ready = fixture.reloader.logs.findLast((entry) => entry["event"] === "haproxy.ready");
  const killed = fixture.reloader.logs.length;
  process.kill(Number(ready?.["pid"]), "SIGKILL");
  await fixture.reloader.waitForEvent("haproxy.restarting", { from: killed });
  const logs = fixture.reloader.logs;
  const restarting = logs.findIndex((entry, i) => i >= killed && entry["event"] === "haproxy.restarting");
  return outcome(fixture, restarting + 1, ["haproxy.ready", "haproxy.exited"]);
}

test('a --config section named "$HAPROXY_LOCALPEER" follows the host name: after `hostname shop` the stack shop is left out and legacy goes live', async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.171" });
  const legacy = await startBackend({ name: "legacy-stack", host: "127.0.0.172" });
  const shop = await startBackend({ name: "shop-stack", host: "127.0.0.173" });
  const blog = await startBackend({ name: "blog", host: "127.0.0.174" });
  t.after(() => Promise.all([app.close(), legacy.close(), shop.close(), blog.close()]));
  // Every stack but blog from the start; blog comes with the change after the host name's (a reload).
  const files = (withBlog: boolean) => ({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      ...(withBlog ? [{ name: "blog", servers: [{ address: blog.address }] }] : []),
      { name: "legacy", servers: [{ address: legacy.address }] },
      { name: "shop", servers: [{ address: shop.address }] },
    ]),
    map: renderTestMap({
      "app.dev.tld": "app",
      ...(withBlog ? { "blog.dev.tld": "blog" } : {}),
      "legacy.dev.tld": "legacy",
      "shop.dev.tld": "shop",
    }),
  });
  const { fixture, userConfig, line } = await localPeerFixture(t, files(false));
  const { url, body } = await startedWithoutLegacy(
    fixture,
    ["--config", userConfig, "--status-port", "0"],
    line,
  );
  assert.equal(await body("shop.dev.tld"), "200 shop-stack");
  assert.equal(await body("legacy.dev.tld"), "404 mine");

  // The host is renamed `shop` while the reloader runs; the next change is checked with that name.
  setHostName(fixture.reloader.pid, "shop");
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, files(true));
  const event = await outcome(fixture, from, ["reload.applied", "check.failed"]);
  const failed = fixture.reloader.logs.slice(from).filter((entry) => entry["event"] === "check.failed");
  assert.deepEqual(failed, [], "haproxy -c met listen shop beside the stack shop");
  assert.equal(event, "reload.applied");
  const renamed = await fixture.reloader.waitForEvent("haproxy.host-name-changed", { from });
  assert.deepEqual([renamed["from"], renamed["to"]], ["legacy", "shop"]);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from });
  assert.deepEqual(clash["backends"], [{ backend: "shop", section: "listen shop", line }]);
  await healthzOk(url);
  assert.equal(await body("blog.dev.tld"), "200 blog");
  assert.equal(await body("legacy.dev.tld"), "200 legacy-stack");
  assert.equal(await body("shop.dev.tld"), "404 mine");
  assert.equal(await body("app.dev.tld"), "200 app");
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_backends_refused"), 1);
  const running = await readRuntimeState(fixture.stateDir);
  assert.deepEqual(await compareWithSnapshot(running, fixture.stateDir, files(true), false), []);

  // Renamed to a name no stack has: nothing is left out any more from the next change on.
  setHostName(fixture.reloader.pid, "web-1");
  const next = fixture.reloader.logs.length;
  await writeInOnePass(fixture, files(false));
  const applying = ["reload.applied", "runtime.applied", "check.failed"];
  assert.notEqual(await outcome(fixture, next, applying), "check.failed");
  await fixture.reloader.waitForEvent("inputs.section-clash-cleared", { from: next });
  await healthzOk(url);
  assert.equal(await body("shop.dev.tld"), "200 shop-stack");
  assert.equal(await body("legacy.dev.tld"), "200 legacy-stack");
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_backends_refused"), 0);
});

// The first of: `event` logged from `from` on, or `inputs.unchanged` logged twice from `from` on (a rescan
// after the one that may have begun before the rename found nothing to do), waited for.
async function eventOrTwoRescans(fixture: Fixture, from: number, event: string): Promise<string> {
  let found: string | undefined;
  await waitFor(
    () => {
      const events = fixture.reloader.logs.slice(from).map((entry) => String(entry["event"]));
      const unchanged = events.filter((name) => name === "inputs.unchanged").length;
      found = events.includes(event) ? event : unchanged >= 2 ? "inputs.unchanged" : undefined;
      return found !== undefined;
    },
    { timeoutMs: 20_000, message: `${event} or two rescans` },
  );
  return found!;
}

test("a rename alone is applied at the next rescan: the stack named like the new host name is left out, and a restart of HAProxy loads current", async (t) => {
  const { fixture, userConfig, line, files } = await threeStacks(t, 175);
  // A rescan every second; debug shows the rescans that find nothing to do (inputs.unchanged).
  const { body } = await startedWithoutLegacy(fixture, debugArgs(userConfig, "1s"), line);
  assert.equal(await body("legacy.dev.tld"), "404 mine");

  // Renamed `shop`, and no file written: the next rescan validates the inputs again with the new name.
  setHostName(fixture.reloader.pid, "shop");
  const from = fixture.reloader.logs.length;
  assert.equal(
    await eventOrTwoRescans(fixture, from, "inputs.section-clash"),
    "inputs.section-clash",
    "the rescans found the inputs unchanged: current still routes the stack shop beside listen shop",
  );
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from });
  assert.deepEqual(clash["backends"], [{ backend: "shop", section: "listen shop", line }]);
  const renamed = await fixture.reloader.waitForEvent("haproxy.host-name-changed", { from });
  assert.deepEqual([renamed["from"], renamed["to"]], ["legacy", "shop"]);
  // The same files on disk: /healthz says ok all along, so the reload itself is waited for.
  assert.equal(await outcome(fixture, from, ["reload.applied", "check.failed"]), "reload.applied");
  assert.equal(await body("legacy.dev.tld"), "200 legacy-stack");
  assert.equal(await body("shop.dev.tld"), "404 mine");
  assert.equal(fixture.reloader.count("check.failed"), 0);
  const running = await readRuntimeState(fixture.stateDir);
  assert.deepEqual(await compareWithSnapshot(running, fixture.stateDir, files, false), []);

  // HAProxy's master killed: its restart loads `current` with the host name `shop`, and starts.
  assert.equal(await restartOutcome(fixture), "haproxy.ready");
  await waitFor(async () => (await body("legacy.dev.tld")) === "200 legacy-stack", {
    timeoutMs: 5000,
    message: "legacy routed after the restart",
  });
  assert.equal(await body("shop.dev.tld"), "404 mine");
});

// A rename seen first by the validation of other inputs that never ran (here a map ahead of its backends,
// the generator between its writes) took the new name, then the files `current` runs came back and went
// live without being staged (HAProxy runs them). Until 2026-12-06 the pass compared the host name with the
// last validation's, so no rescan or rewrite staged them again: `current` kept the stack named like the new
// host name beside its `listen`, and a restart of HAProxy failed at every attempt until the next change.
test("a rename first seen by inputs that never ran: the inputs current runs, written again, are staged with the new name", async (t) => {
  const { fixture, userConfig, line, files } = await threeStacks(t, 178);
  // No rescan: each pass below is a write's; debug shows a pass that finds nothing to do (inputs.unchanged).
  const { body } = await startedWithoutLegacy(fixture, debugArgs(userConfig, "0"), line);

  // Renamed `shop`; the next read is a map ahead of its backends: validated (with the name shop), not run.
  // The files current runs come back: live as they are (HAProxy runs their snapshot), nothing staged.
  const ahead = { map: renderTestMap({ ...THREE_STACK_ROUTES, "blog.dev.tld": "blog" }) };
  const { back } = await renameSeenFirstBy(fixture, ahead, "inputs.unsettled", files);
  // Written once more: the pass that finds them settled stages them again with the name shop.
  await writeInOnePass(fixture, files);
  assert.equal(
    await outcome(fixture, back, ["inputs.section-clash", "inputs.unchanged"]),
    "inputs.section-clash",
    "the inputs were found unchanged: current still routes the stack shop beside listen shop",
  );
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from: back });
  assert.deepEqual(clash["backends"], [{ backend: "shop", section: "listen shop", line }]);
  const applying = ["reload.applied", "runtime.applied", "check.failed"];
  assert.notEqual(await outcome(fixture, back, applying), "check.failed");
  await waitFor(async () => (await body("legacy.dev.tld")) === "200 legacy-stack", {
    timeoutMs: 5000,
    message: "legacy routed once the inputs were staged again",
  });
  assert.equal(await body("shop.dev.tld"), "404 mine");

  // HAProxy's master killed: its restart loads `current`, checked with the name shop, and starts.
  assert.equal(await restartOutcome(fixture), "haproxy.ready");
  await waitFor(async () => (await body("legacy.dev.tld")) === "200 legacy-stack", {
    timeoutMs: 5000,
    message: "legacy routed after the restart",
  });
});

// Inputs on disk that were refused are not what `current` runs: after a rename they are validated once more
// with the new name (a refusal for a clash with the old name's section may pass now), then left alone,
// not validated and refused again at each rescan.
test("refused inputs after a rename are validated again once, not at each rescan", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.181" });
  t.after(() => app.close());
  const routes = { "app.dev.tld": "app", "legacy.dev.tld": "legacy" };
  const files = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "legacy", servers: [{ address: app.address }] },
    ]),
    map: renderTestMap(routes),
  };
  const { fixture, userConfig, line } = await localPeerFixture(t, files);
  // No rescan: each pass below is a write's; debug shows a pass that finds nothing to do (inputs.unchanged).
  await startedWithoutLegacy(fixture, debugArgs(userConfig, "0"), line);
  // A map line of three fields: the contract refuses the inputs (kept until they change).
  const refused = { map: `${renderTestMap(routes)}blog.dev.tld blog extra\n` };
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, refused);
  await fixture.reloader.waitForEvent("inputs.rejected", { from });

  // Renamed shop; the same refused files written again: validated once more, with the name shop.
  setHostName(fixture.reloader.pid, "shop");
  const renamed = fixture.reloader.logs.length;
  await writeInOnePass(fixture, refused);
  await fixture.reloader.waitForEvent("haproxy.host-name-changed", { from: renamed });
  await fixture.reloader.waitForEvent("inputs.rejected", { from: renamed });
  // And again: nothing to do (the name did not move since they were validated).
  const again = fixture.reloader.logs.length;
  await writeInOnePass(fixture, refused);
  assert.equal(
    await outcome(fixture, again, ["inputs.unchanged", "inputs.rejected"]),
    "inputs.unchanged",
    "the refused inputs were validated again at a pass after the one that took the name shop",
  );
});
