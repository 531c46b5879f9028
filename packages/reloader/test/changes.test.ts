// Changes to the generated files reach HAProxy: new hosts within a second, alias-only map changes,
// a broken backends file that never disturbs the running routing, bursts collapsed into few reloads.
import assert from "node:assert/strict";
import { readdir, readFile, readlink } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { test } from "node:test";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { startAppLoad } from "./helpers/app-load.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";
import { appFixture } from "./helpers/app-fixture.ts";

const routes = routesTo;

// How fast a change goes live is the benchmark's to measure (bench/); these only wait for it.
test("a new stack (backends + map rewritten atomically) answers, its reload logged with changeToAppliedMs", async (t) => {
  const {
    app,
    other: fresh,
    fixture,
  } = await appFixture(t, ["127.0.0.41", "127.0.0.42"], {
    args: ["--debounce-ms", "200"],
  });
  assert.equal((await httpRequest({ url: fixture.url, host: "fresh.dev.tld" })).status, 503);

  const from = fixture.reloader.logs.length;
  await fixture.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "fresh", servers: [{ address: fresh.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
  });
  await waitFor(routes(fixture.url, "fresh.dev.tld", "fresh"), {
    timeoutMs: 10_000,
    message: "fresh.dev.tld to answer",
  });
  const applied = await fixture.reloader.waitForEvent("reload.applied", { from });
  assert.equal(typeof applied["changeToAppliedMs"], "number");
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
});

test("an alias-only change (domain.map alone) is applied", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.43" });
  t.after(() => app.close());
  const backends = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends,
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).status, 503);

  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) });
  await waitFor(routes(fixture.url, "www.dev.tld", "app"), {
    timeoutMs: 10_000,
    message: "the alias to answer",
  });
  // The running config is the snapshot that holds the new map.
  const current = await readlink(`${fixture.stateDir}/current`);
  assert.match(await readFile(`${fixture.stateDir}/${current}/domain.map`, "utf8"), /^www\.dev\.tld app$/m);
});

test("a change haproxy -c refuses keeps the old routing answering every request; the fixed change is applied", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.44" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.0.45" });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const good = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: good,
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const gensBefore = (await readdir(fixture.stateDir)).filter((name) => name.startsWith("gen-")).length;
  // Within the contract there is nothing left haproxy -c refuses (servers are renamed to slots), so
  // the refused line comes from the base config in the private state dir, as only root could edit it.
  const privateBase = `${fixture.stateDir}/haproxy.cfg`;
  const rendered = await readFile(privateBase, "utf8");

  const load = startAppLoad(fixture.url, 30_000);
  try {
    const from = fixture.reloader.logs.length;
    const duplicate = `${good}    server s1 ${app.address}\n`;
    // A server name used twice in a backend: the contract refuses it (slots would hide it).
    await fixture.write({ backends: duplicate });
    const rejected = await fixture.reloader.waitForEvent("inputs.rejected", { from });
    assert.match(JSON.stringify(rejected["problems"]), /declared twice/);
    await writeFileAtomic(
      privateBase,
      `${rendered}\nbackend rh_broken\n    server x 127.0.0.1:19 no-such-keyword\n`,
    );
    await fixture.write({
      backends: `${good}\nbackend fresh\n    server fresh-1 ${fresh.address}\n`,
      map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
    });
    const failed = await fixture.reloader.waitForEvent("check.failed", { from });
    const offending = failed["offendingLines"] as { file: string; line: number; text: string }[];
    assert.ok(
      offending.some((line) => line.text.includes("127.0.0.1:19")),
      JSON.stringify(offending),
    );
    assert.match(String(failed["output"]), /no-such-keyword/);
    assert.equal(fixture.reloader.count("reload.applied"), 0);
    // The failed snapshot is not kept, and the map change that came with it is not live either.
    // (backends and map are two renames: a second failed check may still be running, hence the wait)
    await waitFor(
      async () =>
        (await readdir(fixture.stateDir)).filter((name) => name.startsWith("gen-")).length === gensBefore,
      { timeoutMs: 3000, message: "failed snapshots to be removed" },
    );
    assert.equal((await httpRequest({ url: fixture.url, host: "fresh.dev.tld" })).status, 503);
    await new Promise((resolve) => setTimeout(resolve, 500));

    await writeFileAtomic(privateBase, rendered);
    await fixture.write({
      backends: renderTestBackends([
        { name: "app", servers: [{ address: app.address }] },
        { name: "fresh", servers: [{ address: fresh.address }] },
      ]),
    });
    await fixture.reloader.waitForEvent("reload.applied", { from });
    await waitFor(routes(fixture.url, "fresh.dev.tld", "fresh"), {
      timeoutMs: 2000,
      message: "the fixed config",
    });
  } finally {
    load.stop();
  }
  const result = await load.result;
  assert.ok(result.sent > 100, `load ran (${result.sent} requests)`);
  assert.deepEqual(result.failures, []);
  assert.equal(result.failed, 0);
  assert.equal(result.ok, result.sent);
});

test("a burst of changes collapses into few applies and ends on the last content", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.46" });
  t.after(() => app.close());
  const backends = (n: number) =>
    renderTestBackends([{ name: "app", servers: [{ address: app.address }] }], [`# burst ${n}`]);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: backends(0),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const from = fixture.reloader.logs.length;
  for (let n = 1; n <= 20; n++) {
    await fixture.write({ backends: backends(n) });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const generation = await waitFor(
    async () => {
      const current = await readlink(`${fixture.stateDir}/current`);
      const text = await readFile(`${fixture.stateDir}/${current}/inputs/haproxy-backends.cfg`, "utf8");
      return text.includes("# burst 20\n") ? Number(current.replace("gen-", "")) : 0;
    },
    { timeoutMs: 5000, message: "the last burst content to be current" },
  );
  // A comment-only change needs no runtime step (runtime.applied with 0 steps), a reload also applies it.
  const applies = (line: { event?: unknown }) =>
    ["reload.applied", "runtime.applied"].includes(String(line.event));
  const logs = () => fixture.reloader.logs.slice(from);
  await waitFor(() => logs().some((line) => applies(line) && line["generation"] === generation), {
    timeoutMs: 10_000,
    message: `gen-${generation} to be applied`,
  });
  const applied = logs().filter(applies).length;
  assert.ok(applied >= 1 && applied < 20, `${applied} applies for 20 writes`);
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
});

test("a reload HAProxy refuses after a passing check (port taken) is detected, rolled back and logged", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.48" });
  // A plain listener without SO_REUSEPORT: haproxy -c passes, but binding it during the reload fails.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => Promise.all([app.close(), new Promise((resolve) => blocker.close(resolve))]));
  const blockedPort = (blocker.address() as AddressInfo).port;
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  const good = await readlink(`${fixture.stateDir}/current`);
  // The base config lives in the private state dir and is not watched: edit it as only root could,
  // then change a generated file so the next pass reads the triple again.
  const privateBase = `${fixture.stateDir}/haproxy.cfg`;
  const rendered = await readFile(privateBase, "utf8");
  const from = fixture.reloader.logs.length;
  await writeFileAtomic(privateBase, `${rendered}\nfrontend rh_extra\n    bind 127.0.0.1:${blockedPort}\n`);
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "b.dev.tld": "app" }) });
  await fixture.reloader.waitForEvent("check.passed", { from });
  const failed = await fixture.reloader.waitForEvent("reload.failed", { from });
  assert.match(String(failed["reason"]), /failed: 1/);
  assert.equal(
    await readlink(`${fixture.stateDir}/current`),
    good,
    "current points back at the good snapshot",
  );
  assert.equal(fixture.reloader.count("reload.applied"), 0);
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");

  // The next good change reloads normally.
  const next = fixture.reloader.logs.length;
  await writeFileAtomic(privateBase, rendered);
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app" }) });
  await fixture.reloader.waitForEvent("reload.applied", { from: next });
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
});
