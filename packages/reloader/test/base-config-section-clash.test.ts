// A --config with a section named like a stack (`backend legacy`) and a stack `legacy` in the generated
// files: HAProxy refuses two proxies of one name, so until 2026-12-05 every `haproxy -c` failed while
// that stack existed and no change of any other stack went live. The start now warns about the section
// (base-config.section-name-clash); while such a stack exists its generated backend and the domain.map
// lines naming it are left out (inputs.section-clash, /healthz warnings, reloader_backends_refused) and
// every other change goes live, with what HAProxy runs equal to the snapshot it would load again.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import {
  compareWithSnapshot,
  readRuntimeState,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import type { Fixture } from "./helpers/fixture.ts";
import { healthzOk } from "./helpers/healthz-ok.ts";
import { localPeerFixture } from "./helpers/local-peer-fixture.ts";
import { LEGACY_SECTION, userConfigFixture, userConfigLines, withFallback } from "./helpers/user-config.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

type Health = ReloaderHealth["body"];

// The status URL the reloader logged (it listens on an ephemeral port in tests).
async function statusUrl(fixture: Fixture): Promise<string> {
  const line = await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 });
  return String(line["url"]);
}

// What HAProxy runs against the `current` snapshot and the shared files kept in it: [] when equal (the
// user's config routes without path-hosts.map).
async function differences(fixture: Fixture, files: { backends: string; map: string }): Promise<string[]> {
  return compareWithSnapshot(await readRuntimeState(fixture.stateDir), fixture.stateDir, files, false);
}

test("a stack named like a --config backend is left out with its hosts; every other stack's change goes live", async (t) => {
  const { app, fixture, userConfig } = await userConfigFixture(t, "127.0.0.81");
  const legacy = await startBackend({ name: "legacy-stack", host: "127.0.0.82" });
  const blog = await startBackend({ name: "blog", host: "127.0.0.83" });
  t.after(() => Promise.all([legacy.close(), blog.close()]));
  const lines = userConfigLines(fixture.httpPort, [], withFallback(LEGACY_SECTION));
  const line = lines.indexOf("backend legacy") + 1;
  await writeFile(userConfig, lines.join("\n"));
  await fixture.start(["--config", userConfig, "--status-port", "0"]);
  const started = await fixture.reloader.waitForEvent("base-config.section-name-clash");
  assert.equal(started["level"], 40);
  assert.deepEqual(started["sections"], [{ section: "backend legacy", line }]);
  assert.match(String(started["msg"]), new RegExp(`backend legacy \\(line ${line}\\)`));
  const url = await statusUrl(fixture);

  // The stack `legacy` appears, and with it another stack's change: a new stack (a reload).
  const stacks = (names: { legacy: boolean }, hosts: Record<string, string>) => ({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "blog", servers: [{ address: blog.address }] },
      ...(names.legacy ? [{ name: "legacy", servers: [{ address: legacy.address }] }] : []),
    ]),
    map: renderTestMap(hosts),
  });
  const withLegacy = stacks(
    { legacy: true },
    { "app.dev.tld": "app", "blog.dev.tld": "blog", "legacy.dev.tld": "legacy", "old.dev.tld": "legacy" },
  );
  // In one pass, so one reload (write-one-pass.ts; a write read in two passes: the next test).
  let from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, withLegacy);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from });
  assert.equal(clash["level"], 40);
  assert.deepEqual(clash["backends"], [{ backend: "legacy", section: "backend legacy", line }]);
  await fixture.reloader.waitForEvent("reload.applied", { from, timeoutMs: 10_000 });
  await healthzOk(url);
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog");
  // legacy's hosts reach neither its containers nor the user's own `backend legacy`: the config's default.
  for (const host of ["legacy.dev.tld", "old.dev.tld"]) {
    const answer = await httpRequest({ url: fixture.url, host });
    assert.deepEqual([answer.status, answer.body], [404, "mine"], host);
  }
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  assert.deepEqual(await differences(fixture, withLegacy), []);

  const health = await readStatusJson<Health>(url, "/healthz");
  assert.deepEqual([health.status, health.json.status], [200, "ok"]);
  const warning = health.json.warnings.find((text) => text.includes("backend legacy"));
  assert.match(String(warning), new RegExp(`2 domain\\.map lines.*backend legacy \\(line ${line}\\)`));
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_backends_refused"), 1);

  // A change within a stack goes live at runtime while legacy stays: read back, and equal to the snapshot.
  const aliased = stacks(
    { legacy: true },
    {
      "app.dev.tld": "app",
      "www.dev.tld": "app",
      "blog.dev.tld": "blog",
      "legacy.dev.tld": "legacy",
      "old.dev.tld": "legacy",
    },
  );
  from = fixture.reloader.logs.length;
  await fixture.write(aliased);
  await fixture.reloader.waitForEvent("runtime.applied", { from, timeoutMs: 10_000 });
  await healthzOk(url);
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body, "app");
  assert.deepEqual(await differences(fixture, aliased), []);

  // A reloader started again on those files starts HAProxy from them, legacy left out again.
  await fixture.reloader.stop();
  await fixture.start(["--config", userConfig, "--status-port", "0"]);
  const again = await statusUrl(fixture);
  await healthzOk(again);
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body, "app");
  assert.equal((await httpRequest({ url: fixture.url, host: "legacy.dev.tld" })).body, "mine");
  assert.deepEqual(await differences(fixture, aliased), []);
  assert.equal(metricValue(await scrapeMetrics(again), "reloader_backends_refused"), 1);

  // The stack legacy gone: said once, and nothing is left out any more.
  const without = stacks({ legacy: false }, { "app.dev.tld": "app", "blog.dev.tld": "blog" });
  from = fixture.reloader.logs.length;
  await fixture.write(without);
  await fixture.reloader.waitForEvent("inputs.section-clash-cleared", { from });
  await waitFor(async () => metricValue(await scrapeMetrics(again), "reloader_backends_refused") === 0, {
    timeoutMs: 10_000,
    message: "reloader_backends_refused back to 0",
  });
  const cleared = await readStatusJson<Health>(again, "/healthz");
  assert.ok(!cleared.json.warnings.some((text) => text.includes("backend legacy")));
});

// The generator renames backends.cfg, then domain.map; a read between the two (10 ms after the first
// rename: a loaded machine) applies one write in two passes, each consistent by design: the backends name
// the new stack `legacy` while the map has none of its lines yet. Until 2026-12-05 that write logged two
// inputs.section-clash warnings, the first with `hosts: 0`, the next with the real count. Now one, naming
// the backend and the section; /healthz counts the map lines left out at each pass.
test("a write read in two passes (backends, then the map) logs one section-clash warning; /healthz counts its hosts", async (t) => {
  const { app, fixture, userConfig } = await userConfigFixture(t, "127.0.0.90");
  const legacy = await startBackend({ name: "legacy-stack", host: "127.0.0.91" });
  const blog = await startBackend({ name: "blog", host: "127.0.0.92" });
  t.after(() => Promise.all([legacy.close(), blog.close()]));
  const lines = userConfigLines(fixture.httpPort, [], withFallback(LEGACY_SECTION));
  const line = lines.indexOf("backend legacy") + 1;
  await writeFile(userConfig, lines.join("\n"));
  await fixture.start(["--config", userConfig, "--status-port", "0"]);
  const url = await statusUrl(fixture);
  await healthzOk(url);
  const warningOf = async () =>
    (await readStatusJson<Health>(url, "/healthz")).json.warnings.find((text) => text.includes("legacy"));

  // One write of the stacks blog and legacy, read in two passes: the backends first (a reload for blog;
  // legacy refused with none of its map lines yet)...
  const files = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "blog", servers: [{ address: blog.address }] },
      { name: "legacy", servers: [{ address: legacy.address }] },
    ]),
    map: renderTestMap({
      "app.dev.tld": "app",
      "blog.dev.tld": "blog",
      "legacy.dev.tld": "legacy",
      "old.dev.tld": "legacy",
    }),
  };
  const from = fixture.reloader.logs.length;
  await fixture.write({ backends: files.backends });
  await fixture.reloader.waitForEvent("reload.applied", { from, timeoutMs: 10_000 });
  await healthzOk(url);
  assert.match(String(await warningOf()), /left out, with its 0 domain\.map lines/);
  // ... then the map: legacy's two lines are left out with it.
  await fixture.write({ map: files.map });
  await waitFor(async () => /with its 2 domain\.map lines/.test(String(await warningOf())), {
    timeoutMs: 10_000,
    message: "/healthz counts legacy's 2 domain.map lines",
  });
  await healthzOk(url);
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog");
  for (const host of ["legacy.dev.tld", "old.dev.tld"]) {
    const answer = await httpRequest({ url: fixture.url, host });
    assert.deepEqual([answer.status, answer.body], [404, "mine"], host);
  }
  assert.deepEqual(await differences(fixture, files), []);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_backends_refused"), 1);

  const said = fixture.reloader.logs.slice(from).filter((entry) => entry["event"] === "inputs.section-clash");
  assert.deepEqual(
    said.map((entry) => entry["backends"]),
    [[{ backend: "legacy", section: "backend legacy", line }]],
  );
  assert.match(
    String(said[0]?.["msg"]),
    new RegExp(`^backend legacy clashes with your backend legacy \\(line ${line}\\)`),
  );
});

// A section under `.if defined(X)` is loaded only when HAProxy's environment has X, and HAProxy inherits
// the reloader's: the stack of that name is left out only then (until 2026-12-05, always).
test("a --config backend under .if defined(X) leaves a stack of its name out only when the reloader has X", async (t) => {
  const { app, fixture, userConfig } = await userConfigFixture(t, "127.0.0.84");
  const legacy = await startBackend({ name: "legacy-stack", host: "127.0.0.85" });
  t.after(() => legacy.close());
  const lines = userConfigLines(
    fixture.httpPort,
    [],
    withFallback([
      ".if defined(RH_TEST_LEGACY_SECTION)",
      "backend legacy",
      '    http-request return status 200 content-type text/plain string "my legacy"',
      ".endif",
    ]),
  );
  await writeFile(userConfig, lines.join("\n"));
  const files = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "legacy", servers: [{ address: legacy.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "legacy.dev.tld": "legacy" }),
  };
  await fixture.write(files);

  // Without the variable HAProxy skips the section: the stack is routed, nothing is said.
  await fixture.start(["--config", userConfig, "--status-port", "0"]);
  const url = await statusUrl(fixture);
  await healthzOk(url);
  assert.equal((await httpRequest({ url: fixture.url, host: "legacy.dev.tld" })).body, "legacy-stack");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_backends_refused"), 0);
  const said = fixture.reloader.logs.map((line) => String(line["event"]));
  assert.ok(!said.includes("base-config.section-name-clash") && !said.includes("inputs.section-clash"));
  assert.deepEqual(await differences(fixture, files), []);

  // Set (empty counts: HAProxy's defined() asks only whether it exists), the section is loaded and the
  // stack is left out.
  await fixture.reloader.stop();
  await fixture.start(["--config", userConfig, "--status-port", "0"], { RH_TEST_LEGACY_SECTION: "" });
  await fixture.reloader.waitForEvent("base-config.section-name-clash");
  await fixture.reloader.waitForEvent("inputs.section-clash");
  const again = await statusUrl(fixture);
  await healthzOk(again);
  const answer = await httpRequest({ url: fixture.url, host: "legacy.dev.tld" });
  assert.deepEqual([answer.status, answer.body], [404, "mine"]);
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  assert.equal(metricValue(await scrapeMetrics(again), "reloader_backends_refused"), 1);
  assert.deepEqual(await differences(fixture, files), []);
});

// HAProxy builds a section's name from quoted parts and, inside double quotes, environment variables,
// and evaluates `.if streq("$X",...)` against the environment it inherits (the reloader's). Until
// 2026-12-05 the reader took `le"ga"cy` and `"${X}"` as written: no warning, and a stack of that name
// failed every check, so no other stack's change went live; a section under `streq` always counted.
test('a --config section named with quotes or a variable, under .if streq("$X",on), is read as HAProxy reads it', async (t) => {
  const { app, fixture, userConfig } = await userConfigFixture(t, "127.0.0.86");
  const legacy = await startBackend({ name: "legacy-stack", host: "127.0.0.87" });
  const shop = await startBackend({ name: "shop-stack", host: "127.0.0.88" });
  const blog = await startBackend({ name: "blog", host: "127.0.0.89" });
  t.after(() => Promise.all([legacy.close(), shop.close(), blog.close()]));
  const lines = userConfigLines(
    fixture.httpPort,
    [],
    withFallback([
      'backend le"ga"cy',
      '    http-request return status 200 content-type text/plain string "my legacy"',
      '.if streq("$RH_TEST_SHOP_SECTION",on)',
      'listen "${RH_TEST_SHOP_NAME}"',
      '    http-request return status 200 content-type text/plain string "my shop"',
      ".endif",
    ]),
  );
  await writeFile(userConfig, lines.join("\n"));
  const legacyLine = lines.indexOf('backend le"ga"cy') + 1;
  const shopLine = lines.indexOf('listen "${RH_TEST_SHOP_NAME}"') + 1;
  const args = ["--config", userConfig, "--status-port", "0"];

  // RH_TEST_SHOP_SECTION off: HAProxy skips the listen section; `backend legacy` is there.
  await fixture.start(args, { RH_TEST_SHOP_SECTION: "off", RH_TEST_SHOP_NAME: "shop" });
  const started = await fixture.reloader.waitForEvent("base-config.section-name-clash");
  assert.deepEqual(started["sections"], [{ section: "backend legacy", line: legacyLine }]);
  const url = await statusUrl(fixture);
  const files = (names: readonly string[]) => ({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      ...(names.includes("blog") ? [{ name: "blog", servers: [{ address: blog.address }] }] : []),
      { name: "legacy", servers: [{ address: legacy.address }] },
      { name: "shop", servers: [{ address: shop.address }] },
    ]),
    map: renderTestMap({
      "app.dev.tld": "app",
      ...(names.includes("blog") ? { "blog.dev.tld": "blog" } : {}),
      "legacy.dev.tld": "legacy",
      "shop.dev.tld": "shop",
    }),
  });
  const first = files(["blog"]);
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, first);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from });
  assert.deepEqual(clash["backends"], [{ backend: "legacy", section: "backend legacy", line: legacyLine }]);
  await fixture.reloader.waitForEvent("reload.applied", { from, timeoutMs: 10_000 });
  await healthzOk(url);
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog");
  assert.equal((await httpRequest({ url: fixture.url, host: "shop.dev.tld" })).body, "shop-stack");
  const answer = await httpRequest({ url: fixture.url, host: "legacy.dev.tld" });
  assert.deepEqual([answer.status, answer.body], [404, "mine"]);
  assert.deepEqual(await differences(fixture, first), []);

  // Started again with RH_TEST_SHOP_SECTION on: HAProxy loads `listen shop` too, so the stack shop is
  // left out as well, and the rest is served from the same files.
  await fixture.reloader.stop();
  await fixture.start(args, { RH_TEST_SHOP_SECTION: "on", RH_TEST_SHOP_NAME: "shop" });
  const again = await fixture.reloader.waitForEvent("base-config.section-name-clash");
  assert.deepEqual(again["sections"], [
    { section: "backend legacy", line: legacyLine },
    { section: "listen shop", line: shopLine },
  ]);
  const refused = await fixture.reloader.waitForEvent("inputs.section-clash");
  assert.deepEqual(
    (refused["backends"] as { backend: string }[]).map((entry) => entry.backend),
    ["legacy", "shop"],
  );
  const second = await statusUrl(fixture);
  await healthzOk(second);
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog");
  for (const host of ["legacy.dev.tld", "shop.dev.tld"]) {
    const refusedAnswer = await httpRequest({ url: fixture.url, host });
    assert.deepEqual([refusedAnswer.status, refusedAnswer.body], [404, "mine"], host);
  }
  assert.equal(metricValue(await scrapeMetrics(second), "reloader_backends_refused"), 2);
  assert.deepEqual(await differences(fixture, first), []);
});

// HAProxy sets HAPROXY_LOCALPEER to the host name before every parse (haproxy -c's and a reload's), so
// `listen "$HAPROXY_LOCALPEER"` names a section after the host. Until 2026-12-05 the reader knew no
// HAPROXY_* variable: the section was not recognised, and a stack of the host's name made every haproxy -c
// fail (`check.failed`), so no other stack's change went live. The reloader runs here in a UTS namespace
// of its own whose host name is `legacy` (the suite runs as root).
test('a --config section named "$HAPROXY_LOCALPEER" leaves the stack of the host\'s name out; every other change goes live', async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.105" });
  const legacy = await startBackend({ name: "legacy-stack", host: "127.0.0.106" });
  const blog = await startBackend({ name: "blog", host: "127.0.0.107" });
  t.after(() => Promise.all([app.close(), legacy.close(), blog.close()]));
  const { fixture, userConfig, line } = await localPeerFixture(t, {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await fixture.start(["--config", userConfig, "--status-port", "0"]);
  const started = await fixture.reloader.waitForEvent("base-config.section-name-clash");
  assert.deepEqual(started["sections"], [{ section: "listen legacy", line }]);
  const url = await statusUrl(fixture);
  await healthzOk(url);

  // The stack `legacy` appears with a new stack `blog` (a reload), in one pass (as above).
  const files = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "blog", servers: [{ address: blog.address }] },
      { name: "legacy", servers: [{ address: legacy.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "blog.dev.tld": "blog", "legacy.dev.tld": "legacy" }),
  };
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, files);
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from });
  assert.deepEqual(clash["backends"], [{ backend: "legacy", section: "listen legacy", line }]);
  await fixture.reloader.waitForEvent("reload.applied", { from, timeoutMs: 10_000 });
  await healthzOk(url);
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
  const answer = await httpRequest({ url: fixture.url, host: "legacy.dev.tld" });
  assert.deepEqual([answer.status, answer.body], [404, "mine"]);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_backends_refused"), 1);
  const failed = fixture.reloader.logs.slice(from).filter((entry) => entry["event"] === "check.failed");
  assert.deepEqual(failed, []);
  assert.deepEqual(await differences(fixture, files), []);
});
