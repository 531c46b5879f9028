// Backends with https=redirect or https=only on a reloader without ENABLE_SSL: nothing listens for HTTPS,
// so their clients are redirected to a port nothing answers on, or get 403 every time. Until 2026-12-04
// nothing said so anywhere; now a log line per change, a /healthz warning per backend (still healthy) and
// a metric, while the files are applied as before (routing goes on).
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBackends, type SharedBackend } from "@rancher-haproxy/core";
import { renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { metricValue, readStatusJson, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { createHttpsListenerReport, MAX_LOGGED_HTTPS_BACKENDS } from "../src/reload/report-https-listener.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { MAX_HTTPS_BACKEND_WARNINGS } from "../src/status/https-listener-warnings.ts";
import { judgeReloaderHealth } from "../src/status/judge-reloader-health.ts";
import { captureLog } from "./helpers/capture-log.ts";
import { createFixture } from "./helpers/fixture.ts";
import { appliedState } from "./helpers/applied-state.ts";

interface Health {
  status: string;
  warnings: string[];
}

const REDIRECT_WARNING =
  "backend secure has https=redirect but ENABLE_SSL is off: plain HTTP to it is redirected to an HTTPS port nothing listens on";
const ONLY_WARNING =
  "backend strict has https=only but ENABLE_SSL is off: every request to it is refused with 403";

test("https=redirect / https=only without ENABLE_SSL: routed as before, and said in the log, /healthz and /metrics", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.104" });
  t.after(() => app.close());
  const colon = app.address.lastIndexOf(":");
  const server = {
    name: "s1",
    address: app.address.slice(0, colon),
    port: Number(app.address.slice(colon + 1)),
  };
  const files = (withHttps: boolean) => ({
    backends: renderBackends({
      backends: [
        { name: "app", servers: [server] },
        { name: "secure", servers: [server], ...(withHttps ? { options: { https: "redirect" } } : {}) },
        { name: "strict", servers: [server], ...(withHttps ? { options: { https: "only" } } : {}) },
      ],
    }),
    map: renderTestMap({ "app.dev.tld": "app", "secure.dev.tld": "secure", "strict.dev.tld": "strict" }),
  });
  const fixture = await createFixture((fn) => t.after(fn), {
    ...files(true),
    args: ["--status-port", "0"],
  });
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
  const status = (host: string) => httpRequest({ url: fixture.url, host }).then((answer) => answer.status);

  // the files are applied: each backend answers as its options say
  assert.deepEqual(
    [await status("app.dev.tld"), await status("secure.dev.tld"), await status("strict.dev.tld")],
    [200, 301, 403],
  );
  const warned = await fixture.reloader.waitForEvent("https.no-listener");
  assert.equal(warned["level"], 40, "warn");
  assert.deepEqual(warned["backends"], ["secure", "strict"]);
  assert.equal(warned["backendCount"], 2);
  assert.match(
    String(warned["msg"]),
    /secure \(https=redirect\), strict \(https=only\) ask for HTTPS, but ENABLE_SSL is off/,
  );
  const health = await readStatusJson<Health>(url, "/healthz");
  assert.deepEqual([health.status, health.json.status], [200, "ok"], "a warning, not a failure");
  assert.deepEqual(health.json.warnings, [REDIRECT_WARNING, ONLY_WARNING]);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_https_backends_without_listener"), 2);

  // the labels removed: the warning is cleared
  await fixture.write(files(false));
  await fixture.reloader.waitForEvent("https.no-listener-cleared", { timeoutMs: 10_000 });
  await waitFor(async () => (await status("strict.dev.tld")) === 200, {
    timeoutMs: 10_000,
    message: "served",
  });
  assert.deepEqual((await readStatusJson<Health>(url, "/healthz")).json.warnings, []);
  assert.equal(metricValue(await scrapeMetrics(url), "reloader_https_backends_without_listener"), 0);
  assert.equal(
    fixture.reloader.logs.filter((line) => line.event === "https.no-listener").length,
    1,
    "one line per change of the set, not per pass",
  );
});

const backend = (name: string, https?: "redirect" | "only"): SharedBackend => ({
  name,
  servers: [],
  ...(https === undefined ? {} : { options: { https } }),
});

test("the report: once per change of the set (a new backend, a changed option), bounded log line and /healthz", () => {
  const { logger, lines: raw, events: all } = captureLog();
  const lines = () => all().filter((line) => String(line["event"]).startsWith("https."));
  const status = new ReloaderStatus();
  const report = createHttpsListenerReport(logger, status);
  const events = () => lines().map((line) => [line["event"], line["backends"] ?? null]);

  report(Buffer.from(renderBackends({ backends: [backend("a"), backend("b", "only")] }))); // the start: bytes
  report([backend("a"), backend("b", "only")]); // the same, parsed
  assert.deepEqual(events(), [["https.no-listener", ["b"]]]);
  report([backend("a"), backend("b", "redirect")]); // the same names, another option
  report([backend("a")]);
  report([backend("a")]);
  assert.deepEqual(events(), [
    ["https.no-listener", ["b"]],
    ["https.no-listener", ["b"]],
    ["https.no-listener-cleared", null],
  ]);
  report(Buffer.from("backend b\n    mode tcp\n    http-request deny deny_status 403 if !{ ssl_fc }\n"));
  assert.equal(events().length, 3, "a file breaking the contract is the checks' to report");

  // thousands of backends: the line names the first MAX_LOGGED_HTTPS_BACKENDS, /healthz the first 20
  const many = Array.from({ length: 3000 }, (_, index) =>
    backend(`s${String(index).padStart(4, "0")}`, "only"),
  );
  report(many);
  const line = lines().at(-1);
  assert.equal((line?.["backends"] as string[]).length, MAX_LOGGED_HTTPS_BACKENDS);
  assert.equal(line?.["backendCount"], 3000);
  assert.match(String(line?.["msg"]), /s0099 \(https=only\) and 2900 more ask for HTTPS/);
  assert.ok((raw().at(-1)?.length ?? Infinity) < 8192, "the line stays a few kB");
  status.haproxyStarted(100);
  status.workerConfirmed(101, 1);
  const applied = appliedState();
  const health = judgeReloaderHealth(status.snapshot(), applied, 1000, 5000);
  assert.equal(health.healthy, true);
  assert.equal(health.body.warnings.length, MAX_HTTPS_BACKEND_WARNINGS + 1);
  assert.match(
    health.body.warnings.at(-1) ?? "",
    /^2980 more backends with https=redirect or https=only, 3000 in all/,
  );
});
