// The real generate-maps loop's status listener against the stand-in: every /metrics value, /routes and
// /explain move when the scenario changes (a container starts), /healthz stays 200 while the interval's
// checks find nothing moved, goes 503 once metadata has been down for more than 3 × the interval and
// back to 200 after, STATUS_PORT=off and a busy port leave routing alone, and the recorded TLS key never
// shows up in any answer or log line.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, rmdir } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  applyRecordedChange,
  buildTree,
  checkTokenGuard,
  floodStatusListener,
  loadRecordedTree,
  metricValue,
  readStatus,
  readStatusJson,
  remapIps,
  scrapeMetrics,
  spawnGenerateMaps,
  startMetadataServer,
  type GenerateMapsProcess,
  type MetadataServer,
  type MetricSample,
} from "@rancher-haproxy/test-support";
import type {
  ContainerExplanation,
  Explanation,
  HealthVerdict,
  HostExplanation,
  RoutesReport,
} from "../src/index.js";
import { tempDir, waitFor } from "./helpers.js";

const TREE = remapIps(loadRecordedTree());

async function standIn(t: TestContext): Promise<MetadataServer> {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 200 });
  t.after(() => server.close());
  return server;
}

interface Running {
  child: GenerateMapsProcess;
  url: string;
  dir: string;
}

// Starts the loop with an ephemeral status port and waits for its first cycle.
async function startGenerator(
  t: TestContext,
  server: MetadataServer,
  extra: { interval?: number; env?: Record<string, string> } = {},
): Promise<Running> {
  const dir = await tempDir(t, "gm-status-");
  const child = spawnGenerateMaps({
    args: [
      "--api-host",
      server.hostPort,
      "--domain-map",
      join(dir, "domain.map"),
      "--backends",
      join(dir, "backends.cfg"),
      "--interval",
      String(extra.interval ?? 30),
    ],
    env: { STACK_DOMAIN: "dev.tld", SYSLOG_HOST: "stdout", STATUS_PORT: "0", ...extra.env },
  });
  t.after(() => child.stop({ timeoutMs: 5000 }));
  const listening = await child.waitForEvent("status.listening", { timeoutMs: 15_000 });
  await child.waitForEvent("cycle", { timeoutMs: 15_000 });
  return { child, url: String(listening["url"]), dir };
}

const value = (samples: MetricSample[], name: string, labels: Record<string, string> = {}) => {
  const found = metricValue(samples, name, labels);
  assert.notEqual(found, undefined, `${name}${JSON.stringify(labels)} is exported`);
  return found as number;
};

async function diskSha256(dir: string): Promise<string> {
  const backends = await readFile(join(dir, "backends.cfg"), "utf8");
  const map = await readFile(join(dir, "domain.map"), "utf8");
  return createHash("sha256").update(backends).update(map).digest("hex");
}

function keyBody(): string {
  const services = (TREE as { services?: { metadata?: Record<string, unknown> | null }[] }).services ?? [];
  const key = services.map((service) => service.metadata?.["ssl_key"]).find((k) => typeof k === "string");
  assert.ok(typeof key === "string", "the recorded tree carries the test key");
  return key
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("-----"))
    .join("");
}

test("metrics, /routes and /explain follow the scenario: a stopped container starts and gains an alias", async (t) => {
  const server = await standIn(t);
  const { child, url, dir } = await startGenerator(t, server);
  const oldVersion = server.version;

  const before = await scrapeMetrics(url);
  assert.ok(value(before, "generate_maps_cycles_total", { result: "ok" }) >= 1);
  assert.equal(value(before, "generate_maps_cycles_total", { result: "read_failed" }), 0);
  assert.equal(value(before, "generate_maps_cycles_total", { result: "cycle_failed" }), 0);
  assert.equal(value(before, "generate_maps_containers_seen"), 10);
  assert.equal(value(before, "generate_maps_containers_routed"), 3);
  assert.equal(value(before, "generate_maps_containers_unlabelled"), 4);
  assert.equal(value(before, "generate_maps_containers_skipped", { reason: "no-ip" }), 1);
  assert.equal(value(before, "generate_maps_containers_skipped", { reason: "not-running" }), 1);
  assert.equal(value(before, "generate_maps_containers_skipped", { reason: "unhealthy" }), 1);
  assert.equal(value(before, "generate_maps_containers_skipped", { reason: "port-invalid" }), 0);
  assert.equal(value(before, "generate_maps_aliases_skipped", { reason: "alias-conflict" }), 0);
  assert.equal(value(before, "generate_maps_stacks_routed"), 2);
  assert.equal(value(before, "generate_maps_hosts_routed"), 4);
  assert.equal(value(before, "generate_maps_files_written_total", { file: "backends" }), 1);
  assert.equal(value(before, "generate_maps_files_written_total", { file: "map" }), 1);
  assert.equal(value(before, "generate_maps_file_write_errors_total", { file: "map" }), 0);
  assert.equal(value(before, "generate_maps_metadata_version_info", { version: oldVersion }), 1);
  const beforeSha = await diskSha256(dir);
  assert.equal(value(before, "generate_maps_output_info", { sha256: beforeSha }), 1);
  const containerReads = value(before, "generate_maps_metadata_request_duration_seconds_count", {
    request: "containers",
  });
  assert.ok(containerReads >= 1);
  assert.ok(value(before, "generate_maps_seconds_since_last_success") < 30);
  assert.equal(value(before, "generate_maps_removal_held"), 0);
  assert.ok(
    before.some((sample) => sample.name === "process_resident_memory_bytes"),
    "process metrics",
  );
  // The event loop's delay is still exported with the slower sampling (EVENT_LOOP_SAMPLE_MS).
  assert.ok(value(before, "nodejs_eventloop_lag_seconds") >= 0, "event loop metrics");

  const routes = await readStatusJson<RoutesReport>(url, "/routes");
  assert.equal(routes.status, 200);
  assert.equal(routes.json.version, oldVersion);
  assert.equal(routes.json.outputSha256, beforeSha);
  assert.deepEqual(
    routes.json.hosts.map((host) => [host.host, host.backend, host.servers.map((s) => s.address)]),
    [
      ["app-r123.dev.tld", "app-r123", ["127.0.0.11", "127.0.0.12"]],
      ["app-r124.dev.tld", "app-r124", ["127.0.0.21"]],
      ["shop.dev.tld", "app-r123", ["127.0.0.11", "127.0.0.12"]],
      ["www.dev.tld", "app-r123", ["127.0.0.11", "127.0.0.12"]],
    ],
  );
  assert.deepEqual(
    routes.json.skipped.map((skip) => [skip.container, skip.code]),
    [
      ["app-r123-web-3", "no-ip"],
      ["app-r124-web-2", "not-running"],
      ["app-r125-web-1", "unhealthy"],
    ],
  );
  const stopped = await readStatusJson<Explanation>(url, "/explain?container=app-r124-web-2");
  assert.equal(stopped.status, 200);
  const stoppedMatch = stopped.json.matches[0] as ContainerExplanation;
  assert.deepEqual(
    [stoppedMatch.kind, stoppedMatch.status, stoppedMatch.code],
    ["container", "skipped", "not-running"],
  );
  assert.equal((await readStatus(url, "/explain?host=beta.dev.tld")).status, 404);
  assert.equal((await readStatus(url, "/explain")).status, 400);
  const text = await readStatus(url, "/explain?q=app-r123-web-3&format=text");
  assert.match(text.body, /container app-r123-web-3 .*NOT routed\n\s+reason: no-ip/);

  // app-r124-web-2 starts, and app-r124 gains the alias beta.
  server.setTree(applyRecordedChange(TREE));
  const after = await waitFor("the new container in the metrics", 10_000, async () => {
    const samples = await scrapeMetrics(url);
    return metricValue(samples, "generate_maps_containers_routed") === 4 ? samples : undefined;
  });
  assert.equal(value(after, "generate_maps_hosts_routed"), 5);
  assert.equal(value(after, "generate_maps_containers_skipped", { reason: "not-running" }), 0);
  assert.equal(value(after, "generate_maps_files_written_total", { file: "backends" }), 2);
  assert.equal(value(after, "generate_maps_files_written_total", { file: "map" }), 2);
  assert.ok(
    value(after, "generate_maps_cycles_total", { result: "ok" }) >
      value(before, "generate_maps_cycles_total", { result: "ok" }),
  );
  assert.equal(metricValue(after, "generate_maps_metadata_version_info", { version: oldVersion }), undefined);
  assert.equal(value(after, "generate_maps_metadata_version_info", { version: server.version }), 1);
  const afterSha = await diskSha256(dir);
  assert.notEqual(afterSha, beforeSha);
  assert.equal(value(after, "generate_maps_output_info", { sha256: afterSha }), 1);
  assert.ok(
    value(after, "generate_maps_metadata_request_duration_seconds_count", { request: "containers" }) >
      containerReads,
  );

  const moved = await readStatusJson<RoutesReport>(url, "/routes");
  assert.equal(moved.json.version, server.version);
  const app124 = moved.json.hosts.find((host) => host.host === "app-r124.dev.tld");
  assert.deepEqual(
    app124?.servers.map((s) => s.container),
    ["app-r124-web-1", "app-r124-web-2"],
  );
  assert.ok(moved.json.hosts.some((host) => host.host === "beta.dev.tld" && host.source === "alias"));
  const started = await readStatusJson<Explanation>(url, "/explain?container=app-r124-web-2");
  assert.equal((started.json.matches[0] as ContainerExplanation).status, "routed");
  const beta = await readStatusJson<Explanation>(url, "/explain?host=beta.dev.tld");
  assert.equal(beta.status, 200);
  assert.equal((beta.json.matches[0] as HostExplanation).backend, "app-r124");

  // The recorded proxy metadata holds a TLS key: no answer and no log line may carry it.
  const key = keyBody().slice(0, 40);
  for (const path of ["/healthz", "/metrics", "/routes", "/explain?host=lb.dev.tld", "/explain?q=lb-HTTP-1"])
    assert.ok(!(await readStatus(url, path)).body.includes(key), path);
  assert.ok(
    !child.logs
      .map((line) => JSON.stringify(line))
      .join("\n")
      .includes(key),
    "logs",
  );
});

// An outage that begins while the loop waits at a long interval: no cycle runs for an hour, so only the
// long poll sees it. Its failures (retried at most 10 s apart, each after a plain /version read) make
// /healthz 503 after 3 × that cap, as failing cycles do; before, it stayed 200 until the next cycle failed
// (an hour later here) and 30 s more. Once metadata answers again it is 200 at the next retry.
test("/healthz: metadata down while the loop idles at a 3600 s interval is 503 after 3 × the 10 s retry cap, 200 again once it answers", async (t) => {
  const server = await standIn(t);
  const { child, url } = await startGenerator(t, server, { interval: 3600 });
  await waitFor("the long poll", 10_000, () => (server.waitingLongPolls > 0 ? true : undefined));
  assert.equal((await readStatus(url, "/healthz")).status, 200);

  const from = child.logs.length;
  await server.setFault({ kind: "refuse" });
  await child.waitForEvent("longpoll-failed", { from, timeoutMs: 10_000 });
  const failing = await waitFor("/healthz to fail", 90_000, async () => {
    const answer = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
    return answer.status === 503 ? answer.json : undefined;
  });
  assert.equal(failing.status, "failing");
  assert.match(failing.reason, /has not answered the long poll of \/version since .* 3 × the 10 s retry cap/);
  assert.equal(failing.lastCycle?.ok, true, "no cycle ran: the loop still waits");
  assert.equal(child.count("cycle"), 1);

  await server.setFault(null);
  const healthy = await waitFor("/healthz to recover", 60_000, async () => {
    const answer = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
    return answer.status === 200 ? answer.json : undefined;
  });
  assert.equal(healthy.status, "ok");
  assert.equal(child.count("cycle"), 1, "recovered without a cycle: the version did not move");
  // The long poll runs again: a change is still seen at once, an hour before the interval.
  await waitFor("the long poll again", 30_000, () => (server.waitingLongPolls > 0 ? true : undefined));
  const beforeChange = child.logs.length;
  server.setTree(applyRecordedChange(TREE));
  await child.waitForEvent("cycle", { from: beforeChange, timeoutMs: 20_000 });
  assert.equal((await readStatus(url, "/healthz")).status, 200);
});

test("/healthz: 200 while cycles succeed, 503 with the reason after 3 × the interval without one, 200 again", async (t) => {
  const server = await standIn(t);
  const { url } = await startGenerator(t, server, { interval: 1 });
  const healthy = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
  assert.equal(healthy.status, 200);
  assert.equal(healthy.json.status, "ok");
  assert.equal(healthy.json.version, server.version);

  // Nothing moves for more than 3 intervals: each interval's check stands in for the refetch, and counts.
  // Waited for by the checks' own count (4 checks: more than 3 intervals), not by a 4.5 s sleep that the
  // slower checks of a loaded machine outlasted.
  const quiet = await waitFor("4 interval checks without a refetch", 30_000, async () => {
    const samples = await scrapeMetrics(url);
    return value(samples, "generate_maps_quiet_intervals_total") >= 4 ? samples : undefined;
  });
  const since = value(quiet, "generate_maps_seconds_since_last_success");
  assert.ok(since < 3, `${since} s since the last success, just after an interval check`);
  assert.equal((await readStatus(url, "/healthz")).status, 200);

  await server.setFault({ kind: "status-500" });
  const failing = await waitFor("/healthz to fail", 20_000, async () => {
    const answer = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
    return answer.status === 503 ? answer.json : undefined;
  });
  assert.equal(failing.status, "failing");
  assert.match(failing.reason, /more than 3 × the 1 s interval/);
  assert.match(failing.reason, /HTTP 500/);
  assert.equal(failing.lastCycle?.ok, false);
  assert.equal(failing.lastCycle?.stage, "read");
  assert.ok((failing.lastSuccessSecondsAgo ?? 0) >= 3);

  const down = await scrapeMetrics(url);
  assert.ok(value(down, "generate_maps_cycles_total", { result: "read_failed" }) >= 1);
  assert.ok(value(down, "generate_maps_cycle_errors_total", { stage: "read", kind: "http-status" }) >= 1);
  assert.ok(
    value(down, "generate_maps_metadata_errors_total", { request: "version", kind: "http-status" }) >= 1,
  );
  assert.ok(value(down, "generate_maps_seconds_since_last_success") >= 3);
  const kept = await readStatusJson<RoutesReport>(url, "/routes");
  assert.equal(kept.status, 200, "the routes the files still hold stay visible");
  assert.equal(kept.json.counts.routed, 3);

  await server.setFault(null);
  await waitFor("/healthz to recover", 20_000, async () =>
    (await readStatus(url, "/healthz")).status === 200 ? true : undefined,
  );
  const recovered = await scrapeMetrics(url);
  assert.ok(value(recovered, "generate_maps_seconds_since_last_success") < 3);
  assert.ok(
    value(recovered, "generate_maps_cycles_total", { result: "ok" }) >
      value(down, "generate_maps_cycles_total", { result: "ok" }),
  );

  // An entry of /containers that is not JSON is found after the request, while the model reads the
  // entries: a failed read by the cycle's count, not by the request's.
  await server.setFault({ kind: "invalid-entry" });
  const refused = await waitFor("an entry that is not JSON to be counted", 20_000, async () => {
    const samples = await scrapeMetrics(url);
    const kind = { stage: "read", kind: "invalid-json" };
    return (metricValue(samples, "generate_maps_cycle_errors_total", kind) ?? 0) >= 1 ? samples : undefined;
  });
  const request = { request: "containers", kind: "invalid-json" };
  assert.equal(metricValue(refused, "generate_maps_metadata_errors_total", request) ?? 0, 0);
  await server.setFault(null);
});

test("metrics and /routes follow aliases, a failed write and a held mass removal", async (t) => {
  const tree = (stacks: string[], aliases: Record<string, string[]>) =>
    buildTree({
      domainSelf: { metadata: { aliases } },
      stacks: stacks.map((name) => ({
        name,
        services: [{ name: "web", port: 80, containers: [{}, {}] }],
      })),
    });
  const server = await startMetadataServer({ tree: tree(["shop"], { shop: ["store"], blog: ["news"] }) });
  t.after(() => server.close());
  const { child, url, dir } = await startGenerator(t, server);
  const before = await scrapeMetrics(url);
  assert.equal(value(before, "generate_maps_aliases_skipped", { reason: "alias-stack-not-routed" }), 1);
  assert.equal(value(before, "generate_maps_hosts_routed"), 2);
  const successAt = value(before, "generate_maps_last_success_timestamp_seconds");
  const cycles = value(before, "generate_maps_cycle_duration_seconds_count");

  // blog appears: its alias is routed now.
  server.setTree(tree(["blog", "shop"], { shop: ["store"], blog: ["news"] }));
  const grown = await waitFor("blog's alias in the metrics", 10_000, async () => {
    const samples = await scrapeMetrics(url);
    return metricValue(samples, "generate_maps_hosts_routed") === 4 ? samples : undefined;
  });
  assert.equal(value(grown, "generate_maps_aliases_skipped", { reason: "alias-stack-not-routed" }), 0);
  assert.ok(value(grown, "generate_maps_last_success_timestamp_seconds") > successAt);
  assert.ok(value(grown, "generate_maps_cycle_duration_seconds_count") > cycles);
  assert.equal(value(grown, "generate_maps_file_write_errors_total", { file: "backends" }), 0);

  // A directory where the backends file should be: the write fails, the map is not touched.
  await rm(join(dir, "backends.cfg"));
  await mkdir(join(dir, "backends.cfg"));
  server.setTree(tree(["blog", "shop"], { shop: ["store", "market"], blog: ["news"] }));
  const failed = await waitFor("the failed write in the metrics", 10_000, async () => {
    const samples = await scrapeMetrics(url);
    return metricValue(samples, "generate_maps_file_write_errors_total", { file: "backends" })! >= 1
      ? samples
      : undefined;
  });
  assert.ok(value(failed, "generate_maps_cycles_total", { result: "write_failed" }) >= 1);
  assert.ok(value(failed, "generate_maps_cycle_errors_total", { stage: "write", kind: "EISDIR" }) >= 1);
  await child.waitForEvent("write-failed");
  await rmdir(join(dir, "backends.cfg"));
  await waitFor("the retried write", 15_000, async () =>
    (await readStatusJson<RoutesReport>(url, "/routes")).json.hosts.some((h) => h.host === "market.dev.tld")
      ? true
      : undefined,
  );

  // Every labelled container gone at once: the removal guard holds the files (default 30 s window).
  server.setTree(tree([], { shop: ["store", "market"], blog: ["news"] }));
  const held = await waitFor("the hold in the metrics", 10_000, async () => {
    const samples = await scrapeMetrics(url);
    return metricValue(samples, "generate_maps_removal_held") === 1 ? samples : undefined;
  });
  assert.equal(value(held, "generate_maps_containers_routed"), 0, "the newest answer routes nothing");
  assert.equal(value(held, "generate_maps_removal_guard_events_total", { event: "started" }), 1);
  assert.equal(value(held, "generate_maps_removal_guard_events_total", { event: "recovered" }), 0);
  assert.equal(
    value(held, "generate_maps_output_info", { sha256: await diskSha256(dir) }),
    1,
    "the output hash is the files' on disk, not the held answer's",
  );
  const routes = await readStatusJson<RoutesReport>(url, "/routes");
  assert.equal(routes.json.counts.routed, 4, "/routes shows what the files still route");
  assert.equal(routes.json.held?.version, server.version);
  const health = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
  assert.equal(health.status, 200);
  assert.ok(health.json.hold !== null && health.json.hold.reason.length > 0);
  const shop = await readStatusJson<Explanation>(url, "/explain?host=shop.dev.tld");
  assert.match(shop.json.notes.join(" "), /removal guard holds this answer back/);
});

test("a released hold whose write fails is no longer shown as held (/healthz, /metrics, /routes, /explain)", async (t) => {
  const tree = (stacks: string[]) =>
    buildTree({
      stacks: stacks.map((name) => ({ name, services: [{ name: "web", port: 80, containers: [{}, {}] }] })),
    });
  const server = await startMetadataServer({ tree: tree(["shop"]) });
  t.after(() => server.close());
  const { child, url, dir } = await startGenerator(t, server, { env: { REMOVAL_CONFIRM_SECONDS: "1" } });
  // The backends file cannot be written any more, then every container goes: held, then released.
  await rm(join(dir, "backends.cfg"));
  await mkdir(join(dir, "backends.cfg"));
  server.setTree(tree([]));
  await child.waitForEvent("guard.hold");
  const release = await child.waitForEvent("guard.release");
  assert.equal(release["outcome"], "confirmed");
  await child.waitForEvent("write-failed", { from: child.logs.indexOf(release) });
  const samples = await scrapeMetrics(url);
  assert.equal(value(samples, "generate_maps_removal_held"), 0, "the guard no longer holds the files");
  const health = await readStatusJson<HealthVerdict["body"]>(url, "/healthz");
  assert.equal(health.json.hold, null, JSON.stringify(health.json.hold));
  assert.equal(health.json.lastCycle?.stage, "write");
  const routes = await readStatusJson<RoutesReport>(url, "/routes");
  assert.equal(routes.json.held, null);
  assert.equal(routes.json.counts.routed, 2, "/routes shows what the files still route");
  const shop = await readStatusJson<Explanation>(url, "/explain?host=shop.dev.tld");
  assert.doesNotMatch(shop.json.notes.join(" "), /removal guard holds this answer back/);
  await rmdir(join(dir, "backends.cfg"));
});

test("STATUS_PORT=off and a busy STATUS_PORT leave routing running; the busy port is logged once", async (t) => {
  const server = await standIn(t);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const busy = String((blocker.address() as AddressInfo).port);

  for (const [port, event] of [
    ["off", "status.disabled"],
    [busy, "status.listen-failed"],
  ] as const) {
    const dir = await tempDir(t, "gm-status-");
    const child = spawnGenerateMaps({
      args: ["--api-host", server.hostPort, "--domain-map", join(dir, "domain.map")],
      env: {
        STACK_DOMAIN: "dev.tld",
        SYSLOG_HOST: "stdout",
        STATUS_PORT: port,
        HAPROXY_BACKEND_CONFIG: join(dir, "backends.cfg"),
      },
    });
    t.after(() => child.stop({ timeoutMs: 5000 }));
    await child.waitForEvent(event, { timeoutMs: 15_000 });
    await child.waitForEvent("file-changed", { timeoutMs: 15_000 });
    assert.match(await readFile(join(dir, "domain.map"), "utf8"), /^app-r123\.dev\.tld app-r123$/m);
    assert.equal(child.count("status.listening"), 0);
    assert.equal(child.count(event), 1);
    assert.deepEqual(await child.stop({ timeoutMs: 10_000 }), { code: 0, signal: null });
  }
});

test("STATUS_TOKEN guards everything but /healthz on generate-maps' status listener (issue 11, item 14)", async (t) => {
  const token = "gm-token-0123456789";
  const server = await standIn(t);
  const { child, url } = await startGenerator(t, server, { env: { STATUS_TOKEN: token } });
  await checkTokenGuard(url, token, ["/metrics", "/routes", "/explain?container=app-r123-web-1"]);
  assert.ok(!child.logs.some((entry) => JSON.stringify(entry).includes(token)), "the token is never logged");
});

test("connections over the status listener's cap are counted on /metrics and logged", async (t) => {
  const server = await standIn(t);
  const { child, url } = await startGenerator(t, server);
  const metric = "generate_maps_status_connections_dropped_total";
  assert.equal(value(await scrapeMetrics(url), metric, { reason: "max_connections" }), 0);
  // 64 connections at most: the scrape's keep-alive connection may hold one of them.
  const closed = await floodStatusListener(url, 70);
  assert.ok(closed >= 6, `${closed} closed at once`);
  const line = await child.waitForEvent("status.connections-dropped", { timeoutMs: 5000 });
  assert.equal((line["reasons"] as Record<string, number>)["max_connections"], 1, "the first drop, at once");
  const after = await scrapeMetrics(url);
  assert.equal(value(after, metric, { reason: "max_connections" }), closed);
  assert.equal(value(after, metric, { reason: "timeout" }), 0);
});
