// /healthz's warnings about the backends (a tcp_<port> TCP_PORTS does not list, https=only without
// ENABLE_SSL) describe the backends HAProxy runs: after a start on refused inputs, those of the last good
// snapshot it runs; after a reload HAProxy refused (at runtime, or an adoption's), those the old workers
// keep serving (refused in time, or late after a timeout).
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { renderBackends, writeFileAtomic } from "@rancher-haproxy/core";
import { renderTestMap, waitFor, type ReloaderProcess } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import { startRefusingScenario } from "./helpers/adopt-scenario.ts";
import { createFixture } from "./helpers/fixture.ts";
import { holdPort } from "./helpers/held-port.ts";

type Health = ReloaderHealth["body"];

const TCP_WARNING = "backend tcp_6379 is routed but TCP_PORTS does not list 6379: nothing listens for it";
const HTTPS_WARNING =
  "backend strict has https=only but ENABLE_SSL is off: every request to it is refused with 403";

// The backends: app alone, or with a tcp_6379 and an https=only backend too (`app.address`: host:port).
function files(address: string, withWarnings: boolean) {
  const colon = address.lastIndexOf(":");
  const server = { name: "s1", address: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  const extra = withWarnings
    ? [
        { name: "strict", servers: [server], options: { https: "only" as const } },
        { name: "tcp_6379", mode: "tcp" as const, servers: [server] },
      ]
    : [];
  return {
    backends: renderBackends({ backends: [{ name: "app", servers: [server] }, ...extra] }),
    map: renderTestMap({ "app.dev.tld": "app", ...(withWarnings ? { "strict.dev.tld": "strict" } : {}) }),
  };
}

// The warnings and the two gauges the status listener at `url` shows.
async function shown(url: string) {
  const health = await readStatusJson<Health>(url, "/healthz");
  const metrics = await scrapeMetrics(url);
  return {
    warnings: health.json.warnings,
    tcp: metricValue(metrics, "reloader_tcp_backends_unlisted"),
    https: metricValue(metrics, "reloader_https_backends_without_listener"),
  };
}

// The cause of the refusals gone (the stand-in's bad config line emptied), the change goes live and the
// status listener at `url` reports its warnings.
async function warnedOnceFixed(reloader: ReloaderProcess, bad: string, url: string): Promise<void> {
  const fixed = reloader.logs.length;
  await writeFile(bad, "");
  await reloader.waitForEvent("reload.applied", { from: fixed, timeoutMs: 60_000 });
  await waitFor(async () => (await shown(url)).tcp === 1 || null, { timeoutMs: 5000, message: "reported" });
  assert.deepEqual(await shown(url), { warnings: [TCP_WARNING, HTTPS_WARNING], tcp: 1, https: 1 });
}

test("a start on refused inputs: /healthz warns about the last good snapshot HAProxy runs", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.203" });
  t.after(() => app.close());
  const good = files(app.address, true);
  const fixture = await createFixture((fn) => t.after(fn), { ...good, args: ["--status-port", "0"] });
  await fixture.reloader.waitForEvent("tcp.ports-unlisted");
  assert.deepEqual(await fixture.reloader.stop(), { code: 0, signal: null });

  // a server name twice in a backend: refused by the contract (servers become slots)
  await fixture.write({ backends: `${good.backends}    server s1 127.0.0.1:19\n` });
  const second = await fixture.start();
  await second.waitForEvent("inputs.rejected");
  await second.waitForEvent("start.last-good");
  const url = String((await second.waitForEvent("status.listening"))["url"]);
  assert.equal((await httpRequest({ url: fixture.url, host: "strict.dev.tld" })).status, 403);

  const health = await readStatusJson<Health>(url, "/healthz");
  assert.equal(health.json.status, "failing", "the files on disk are refused");
  assert.deepEqual(await shown(url), { warnings: [TCP_WARNING, HTTPS_WARNING], tcp: 1, https: 1 });
  assert.equal(second.count("tcp.ports-unlisted"), 1, "logged by this start too");
  assert.equal(second.count("https.no-listener"), 1);
});

test("a reload HAProxy refuses: /healthz warns about the files the old workers run, not the refused ones", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.204" });
  t.after(() => app.close());
  // a port a plain listener holds: a frontend on it passes haproxy -c, and every reload fails to bind
  const held = await holdPort(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    ...files(app.address, false),
    args: ["--status-port", "0"],
  });
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  assert.deepEqual(await shown(url), { warnings: [], tcp: 0, https: 0 });

  const from = fixture.reloader.logs.length;
  const privateBase = join(fixture.stateDir, "haproxy.cfg");
  const base = await readFile(privateBase, "utf8");
  await writeFileAtomic(privateBase, `${base}\nfrontend rh_extra\n    bind 127.0.0.1:${held.port}\n`);
  await fixture.write(files(app.address, true));
  await fixture.reloader.waitForEvent("reload.failed", { from });
  await fixture.reloader.waitForEvent("apply.retry", { from });
  assert.equal((await httpRequest({ url: fixture.url, host: "strict.dev.tld" })).status, 503, "not routed");
  assert.deepEqual(await shown(url), { warnings: [], tcp: 0, https: 0 }, "HAProxy runs no such backend");

  // once HAProxy takes the files, their warnings are shown
  await held.release();
  await fixture.reloader.waitForEvent("reload.applied", { from, timeoutMs: 40_000 });
  assert.equal((await httpRequest({ url: fixture.url, host: "strict.dev.tld" })).status, 403);
  await waitFor(async () => (await shown(url)).tcp === 1 || null, { timeoutMs: 5000, message: "reported" });
  assert.deepEqual(await shown(url), { warnings: [TCP_WARNING, HTTPS_WARNING], tcp: 1, https: 1 });
});

test("an adoption reload the master refuses: /healthz warns about the snapshot its workers keep serving", async (t) => {
  const { app, fixture, stand, first } = await startRefusingScenario(t, ["127.0.0.205", "127.0.0.206"]);
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  // While no reloader runs, the files gain the two backends, and the master will refuse its next reload.
  await writeFile(stand.bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(stand.flag, "");
  await fixture.write(files(app.address, true));
  const second = await fixture.start(["--haproxy-bin", stand.bin, "--status-port", "0"]);
  assert.equal((await second.waitForEvent("adopt.reload-failed"))["kind"], "rejected");
  const url = String((await second.waitForEvent("status.listening"))["url"]);
  assert.equal((await httpRequest({ url: fixture.url, host: "strict.dev.tld" })).status, 503, "not routed");
  assert.deepEqual(await shown(url), { warnings: [], tcp: 0, https: 0 }, "the workers run no such backend");

  await warnedOnceFixed(second, stand.bad, url);
});

test("an adoption reload that times out, then refused: /healthz warns about the snapshot its workers keep serving", async (t) => {
  // the master's next re-execution sleeps 4 s (past --reload-timeout 2s), then is refused
  const { app, fixture, stand, first } = await startRefusingScenario(t, ["127.0.89.1", "127.0.89.2"], {
    sleepSeconds: 4,
  });
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  await writeFile(stand.bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(stand.flag, "");
  await fixture.write(files(app.address, true));
  const args = ["--haproxy-bin", stand.bin, "--reload-timeout", "2s", "--status-port", "0"];
  const second = await fixture.start(args);
  assert.equal((await second.waitForEvent("adopt.reload-failed"))["kind"], "timeout");
  const url = String((await second.waitForEvent("status.listening"))["url"]);
  const settled = await second.waitForEvent("reload.settled", { timeoutMs: 15_000 });
  assert.equal(settled["outcome"], "refused", "the master's late verdict");
  assert.equal((await httpRequest({ url: fixture.url, host: "strict.dev.tld" })).status, 503, "not routed");
  assert.deepEqual(await shown(url), { warnings: [], tcp: 0, https: 0 }, "the workers run no such backend");
  await second.waitForEvent("reload.failed", { timeoutMs: 15_000 });
  assert.deepEqual(await shown(url), { warnings: [], tcp: 0, https: 0 }, "nor after a retry refused");

  await warnedOnceFixed(second, stand.bad, url);
});
