// The real reloader's status listener (a real HAProxy behind it): /healthz, /metrics and /config move
// with a change, a change haproxy -c refuses (503 as soon as the check failed) and its fix, and an HAProxy that is killed and restarted; the stats password and the TLS key never show.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  freePort,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { buildTree, startMetadataServer } from "../../test-support/src/metadata/index.ts";
import {
  metricValue,
  readStatus,
  readStatusJson,
  scrapeMetrics,
  type MetricSample,
} from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import { RELOAD_REASONS } from "../src/model/plan-update.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { recordedCertificate } from "./helpers/test-certificate.ts";

type Health = ReloaderHealth["body"];

const value = (samples: MetricSample[], name: string, labels: Record<string, string> = {}) => {
  const found = metricValue(samples, name, labels);
  assert.notEqual(found, undefined, `${name}${JSON.stringify(labels)} is exported`);
  return found as number;
};

// The status URL the reloader logged (it listens on an ephemeral port in tests).
async function statusUrl(fixture: Fixture): Promise<string> {
  const line = await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 });
  return String(line["url"]);
}

test("/healthz, /metrics and /config follow a change, a change haproxy -c refuses, and its fix", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.71" });
  const blog = await startBackend({ name: "blog", host: "127.0.0.72" });
  t.after(() => Promise.all([app.close(), blog.close()]));
  const statsPort = await freePort();
  const appOnly = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appOnly,
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--status-port", "0", "--reload-timeout", "2s", "--stats-port", String(statsPort)],
    env: { ENABLE_STATS: "true", STATS_USERNAME: "ops", STATS_PASSWORD: "s3cret-Pw9" },
  });
  const url = await statusUrl(fixture);

  const first = await readStatusJson<Health>(url, "/healthz");
  assert.equal(first.status, 200);
  assert.equal(first.json.status, "ok");
  assert.equal(first.json.haproxy.running, true);
  assert.equal(first.json.inputsApplied, true);
  const before = await scrapeMetrics(url);
  assert.equal(value(before, "reloader_reloads_total", { result: "ok" }), 0);
  assert.equal(value(before, "reloader_check_failures_total"), 0);
  assert.equal(value(before, "reloader_haproxy_up"), 1);
  assert.equal(value(before, "reloader_inputs_applied"), 1);
  // Every reason is exported from the start: a series born at 1 gives increase() nothing to see, so an
  // alert on the first runtime-fallback reload never fired.
  for (const reason of RELOAD_REASONS)
    assert.equal(value(before, "reloader_reloads_by_reason_total", { reason }), 0, reason);
  const workerGeneration = value(before, "reloader_worker_generation");
  const configGeneration = value(before, "reloader_config_generation");
  assert.equal(configGeneration, first.json.runningGeneration);

  const config = await readStatus(url, "/config");
  assert.equal(config.status, 200);
  assert.match(config.body, new RegExp(`^# running: gen-${configGeneration} `));
  assert.match(
    config.body,
    /# ==> haproxy\.cfg <==\n[\s\S]*# ==> backends\.cfg <==\n[\s\S]*# ==> domain\.map <==\n[\s\S]*# ==> path-hosts\.map <==\n/,
  );
  assert.ok(config.body.includes(`server s1 ${app.address}`));
  assert.match(config.body, /insecure-password \[redacted\]/);
  assert.ok(!config.body.includes("s3cret-Pw9"), "the stats password is masked");
  assert.equal((await readStatus(url, "/config?file=domain.map")).body, "app.dev.tld app\n");
  assert.equal((await readStatus(url, "/config?file=path-hosts.map")).body, "");
  assert.equal((await readStatus(url, "/config?file=../etc/passwd")).status, 404);

  // A new stack: applied, and every reload metric moves.
  const withBlog = renderTestBackends([
    { name: "app", servers: [{ address: app.address }] },
    { name: "blog", servers: [{ address: blog.address }] },
  ]);
  await fixture.write({
    backends: withBlog,
    map: renderTestMap({ "app.dev.tld": "app", "blog.dev.tld": "blog", "app.dev.tld/blog": "blog" }),
  });
  const after = await waitFor(
    async () => {
      const samples = await scrapeMetrics(url);
      return metricValue(samples, "reloader_reloads_total", { result: "ok" })! >= 1 ? samples : undefined;
    },
    { timeoutMs: 10_000, message: "a confirmed reload in the metrics" },
  );
  assert.ok(value(after, "reloader_worker_generation") > workerGeneration);
  assert.ok(value(after, "reloader_config_generation") > configGeneration);
  assert.ok(value(after, "reloader_last_reload_duration_seconds") > 0);
  assert.ok(value(after, "reloader_last_change_to_applied_seconds") > 0);
  await waitFor(
    async () => (await readStatus(url, "/config?file=domain.map")).body.includes("blog.dev.tld"),
    {
      timeoutMs: 10_000,
      message: "/config to show the new map",
    },
  );
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog");
  // The reloader's own path-hosts.map marks the host of the path key.
  assert.equal((await readStatus(url, "/config?file=path-hosts.map")).body, "app.dev.tld 1\n");
  assert.match((await readStatus(url, "/config")).body, /# ==> path-hosts\.map <==\napp\.dev\.tld 1\n/);

  // The checks refuse two servers with one name (the contract: servers become slots):
  // HAProxy keeps gen-N, and /healthz fails at once (not "applying" for the rest of the apply window:
  // the same files fail the same way every time).
  await fixture.write({ backends: `${withBlog}    server s1 127.0.0.1:19\n` });
  await waitFor(async () => value(await scrapeMetrics(url), "reloader_check_failures_total") >= 1, {
    timeoutMs: 10_000,
    message: "the check failure in the metrics",
  });
  const answer = await readStatusJson<Health>(url, "/healthz");
  assert.equal(answer.status, 503, `failing right after the check: ${JSON.stringify(answer.json)}`);
  const failing = answer.json;
  assert.equal(failing.status, "failing");
  assert.equal(failing.inputsApplied, false);
  assert.match(
    failing.reason,
    /the files on disk are refused \(inputs rejected: .*declared twice.*\); HAProxy keeps/,
  );
  assert.equal(failing.haproxy.running, true);
  const refused = await scrapeMetrics(url);
  assert.equal(value(refused, "reloader_inputs_applied"), 0);
  assert.ok(value(refused, "reloader_inputs_pending_seconds") > 0);
  assert.equal(value(refused, "reloader_reloads_total", { result: "check_failed" }), 1);
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).body, "blog", "still served");

  // Fixed (the second server renamed): applied, healthy again.
  await fixture.write({ backends: `${withBlog}    server s2 127.0.0.1:19\n` });
  const applying = await readStatusJson<Health>(url, "/healthz");
  assert.ok(
    applying.status === 200 && ["applying", "ok"].includes(applying.json.status),
    "within the window",
  );
  await waitFor(async () => (await readStatusJson<Health>(url, "/healthz")).json.status === "ok", {
    timeoutMs: 15_000,
    message: "/healthz to recover",
  });
  const fixed = await scrapeMetrics(url);
  assert.equal(value(fixed, "reloader_inputs_applied"), 1);
  assert.equal(value(fixed, "reloader_inputs_pending_seconds"), 0);
  // The fix adds a server to an existing backend: applied through the runtime API, not a reload.
  assert.equal(value(fixed, "reloader_reloads_total", { result: "ok" }), 1);
  assert.equal(value(fixed, "reloader_reloads_by_reason_total", { reason: "backends-changed" }), 1);
  assert.ok(value(fixed, "reloader_runtime_updates_total") >= 1);
  assert.equal(value(fixed, "reloader_readback_mismatches_total"), 0);
  assert.equal(value(fixed, "reloader_last_readback_ok"), 1);
  const healthy = (
    await readStatusJson<Health & { runtime: { updates: number; lastReadback: { ok: boolean } } }>(
      url,
      "/healthz",
    )
  ).json;
  assert.ok(healthy.runtime.updates >= 1);
  assert.equal(healthy.runtime.lastReadback.ok, true);
  const slots = await readStatus(url, "/config");
  assert.match(slots.body, /# ==> slots <==\napp s1 s1\n(app s\d+ -\n)+blog s1 s1\nblog s2 s2\nblog s3 -\n/);
  const everything = fixture.reloader.logs.map((line) => JSON.stringify(line)).join("\n");
  assert.ok(!everything.includes("s3cret-Pw9"), "the stats password is never logged");
});

test("a killed HAProxy: restarts_total counts it and /healthz reports the new master once it serves", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.73" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--status-port", "0"],
  });
  const url = await statusUrl(fixture);
  const before = await readStatusJson<Health>(url, "/healthz");
  assert.equal(before.status, 200);
  const pid = before.json.haproxy.pid;
  assert.ok(pid !== null && fixture.reloader.haproxyPids().includes(pid), "the master the reloader started");
  assert.equal(value(await scrapeMetrics(url), "reloader_haproxy_restarts_total"), 0);

  process.kill(pid, "SIGKILL");
  await fixture.reloader.waitForEvent("haproxy.exited", { timeoutMs: 10_000 });
  const after = await waitFor(
    async () => {
      const answer = await readStatusJson<Health>(url, "/healthz");
      return answer.status === 200 && answer.json.haproxy.pid !== pid ? answer.json : undefined;
    },
    { timeoutMs: 20_000, message: "/healthz with the restarted master" },
  );
  assert.match(String(after.lastError), /SIGKILL/);
  const samples = await scrapeMetrics(url);
  assert.equal(value(samples, "reloader_haproxy_restarts_total"), 1);
  assert.equal(value(samples, "reloader_haproxy_up"), 1);
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app");
});

test("with TLS from metadata, /config names the certificate file and no answer or log line holds the key", async (t) => {
  const cert = recordedCertificate();
  const metadata = await startMetadataServer({
    tree: buildTree({ domainSelf: { metadata: { ssl_cert: cert.cert, ssl_key: cert.key } } }),
  });
  t.after(() => metadata.close());
  const httpsPort = await freePort();
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([]),
    map: "",
    args: ["--status-port", "0", "--https-port", String(httpsPort)],
    env: { ENABLE_SSL: "true", RANCHER_API_HOST: metadata.hostPort },
    deferStart: true,
  });
  const certPath = join(fixture.dir, "tls", "server.pem");
  await fixture.start(["--ssl-cert", certPath]);
  const url = await statusUrl(fixture);
  await fixture.reloader.waitForEvent("certificate.written");

  const keyBody = cert.key
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("-----"))
    .join("")
    .slice(0, 40);
  const config = await readStatus(url, "/config");
  // HAProxy loads the checked copy in the state dir (built from metadata: HAPROXY_SSL_CERT did not exist).
  assert.ok(
    config.body.includes(`crt ${join(fixture.stateDir, "server.pem")}`),
    "the copy is named by its path",
  );
  for (const path of [
    "/config",
    "/config?format=json",
    "/config?file=haproxy.cfg",
    "/healthz",
    "/metrics",
    "/nope",
  ]) {
    const body = (await readStatus(url, path)).body;
    assert.ok(!body.includes(keyBody), `${path} never holds the key`);
    assert.ok(!body.includes("PRIVATE KEY"), `${path} holds no PEM key block`);
  }
  const logs = fixture.reloader.logs.map((line) => JSON.stringify(line)).join("\n");
  assert.ok(!logs.includes(keyBody), "the key is never logged");
  assert.ok(!logs.includes("PRIVATE KEY-----\\n"), "no PEM key block in the log");
});
