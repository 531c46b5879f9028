// Issue 11, generator side: each attack of the hostile review replayed against the real command (the
// built CLI, loop mode unless said otherwise) and the stand-in metadata server or a raw HTTP server.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstat, mkdir, readdir, readFile, symlink, utimes, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  loadRecordedTree,
  metricValue,
  readStatusJson,
  remapIps,
  scrapeMetrics,
  spawnGenerateMaps,
  startMetadataServer,
} from "@rancher-haproxy/test-support";
import { ANSWER_CAPS } from "../src/sources/answer-caps.js";
import { readOrUndefined } from "./fault-support/file-state.js";
import { outputPaths, startGenerator, type GeneratorProcess } from "./fault-support/spawn-generator.js";
import { editContainers, tempDir, waitFor } from "./helpers.js";

const TREE = remapIps(loadRecordedTree());
const MAP =
  "app-r123.dev.tld app-r123\napp-r124.dev.tld app-r124\nshop.dev.tld app-r123\nwww.dev.tld app-r123\n";

// A metadata server that answers fixed bodies (the stand-in itself cannot serve a 10 000-deep value).
// A recorded container (app-r124-web-2) running and healthy, to copy into new containers of `containers`.
function routedTemplate(containers: Record<string, unknown>[]): Record<string, unknown> {
  return {
    ...(containers.find((c) => c["name"] === "app-r124-web-2") ?? {}),
    state: "running",
    health_state: "healthy",
  };
}

// The generator on `tree`, served by the stand-in, after its first cycle: the child and its status URL.
async function firstCycle(
  t: TestContext,
  tree: typeof TREE,
): Promise<{ gen: GeneratorProcess; url: string }> {
  const server = await startMetadataServer({ tree, longPollTickMs: 100 });
  t.after(() => server.close());
  const gen = startGenerator(t, {
    hostPort: server.hostPort,
    dir: await tempDir(t),
    env: { STATUS_PORT: "0" },
  });
  const listening = await gen.waitForEvent("status.listening", { timeoutMs: 15_000 });
  await gen.waitForEvent("cycle", { timeoutMs: 15_000 });
  return { gen, url: String(listening["url"]) };
}

// The generator's /routes after its first cycle on `tree`, served by the stand-in.
async function firstRoutes(t: TestContext, tree: typeof TREE): Promise<unknown> {
  const { url } = await firstCycle(t, tree);
  const response = await fetch(`${url}/routes`);
  assert.equal(response.status, 200);
  return response.json();
}

// Replaces the aliases of every service in `tree` (the metadata tree, walked whole) by rewrite(aliases).
function rewriteAliases(tree: unknown, rewrite: (aliases: object) => unknown): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== "object" || value === null) return;
    const object = value as Record<string, unknown>;
    const metadata = object["metadata"] as Record<string, unknown> | undefined;
    if (object["metadata_kind"] === "service" && metadata && typeof metadata["aliases"] === "object")
      metadata["aliases"] = rewrite(metadata["aliases"] as object);
    Object.values(object).forEach(visit);
  };
  visit(tree);
}

async function startRawMetadata(t: TestContext, containers: string): Promise<string> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const send = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(body);
    };
    if (path === "/2015-12-19/version") setTimeout(() => send(200, '"1"'), 200);
    else if (path === "/2015-12-19/containers") send(200, containers);
    else send(404, '{"code":404,"message":"Not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  const address = server.address();
  return `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

// One `--once` run of the built CLI against `hostPort`, writing into a fresh temp dir.
async function runOnce(t: TestContext, hostPort: string) {
  const paths = outputPaths(await tempDir(t));
  const once = spawnGenerateMaps({
    args: ["--once", "--api-host", hostPort, "--domain-map", paths.map, "--backends", paths.backends],
    env: { STACK_DOMAIN: "dev.tld", STATUS_PORT: "off" },
  });
  t.after(() => once.stop({ signal: "SIGKILL", timeoutMs: 5000 }));
  return { once, paths, exit: await once.exited };
}

const GOOD = {
  name: "web-1",
  uuid: "aa-01",
  primary_ip: "127.0.0.11",
  state: "running",
  health_state: "healthy",
  stack_name: "shop",
  service_name: "web",
  labels: { "map-public-http": "80" },
};

test("11.5: a 10 000-deep value in a field neither crashes --once nor the loop; the rest is routed", async (t) => {
  const depth = 10_000;
  const deep = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
  const hostile = `{"name":"deep","uuid":"dd-01","labels":{"map-public-http":"80"},"stack_name":${deep}}`;
  const hostPort = await startRawMetadata(t, `[${JSON.stringify(GOOD)},${hostile}]`);
  const { once, paths, exit } = await runOnce(t, hostPort);
  assert.equal(exit.code, 0, JSON.stringify(once.logs.slice(-5)));
  assert.equal(await readFile(paths.map, "utf8"), "shop.dev.tld shop\n");
  const skipped = once.logs.find((line) => line.event === "container-skipped");
  assert.equal(skipped?.["code"], "stack-invalid");
  assert.ok(String(skipped?.["reason"]).length < 300);

  const loopDir = await tempDir(t);
  const loop = startGenerator(t, { hostPort, dir: loopDir, interval: 1 });
  await loop.waitForEvent("cycle", { timeoutMs: 10_000 });
  const first = loop.logs.length;
  // A second cycle (a refetch, which reads the deep value again): still alive. Nothing moves, so it comes
  // after MAX_QUIET_INTERVALS (5) interval checks, each 1 s plus this stand-in's 200 ms /version: ≈ 7.2 s,
  // and the 10 s this wait had were used up once each check was 0.5 s late (a loaded machine).
  await loop.waitForEvent("cycle", { from: first, timeoutMs: 30_000 });
  assert.equal(await readFile(outputPaths(loopDir).map, "utf8"), "shop.dev.tld shop\n");
  assert.equal(loop.count("cycle-failed"), 0);
  assert.equal((await loop.stop()).code, 0);
});

test("11.6: a non-object /containers entry and aliases given as a list skip only themselves", async (t) => {
  const tree = structuredClone(TREE);
  (tree.containers as unknown[]).push(3, "text", null);
  rewriteAliases(tree, () => ["www", "shop"]);
  const server = await startMetadataServer({ tree, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const paths = outputPaths(dir);
  const gen = startGenerator(t, { hostPort: server.hostPort, dir });
  await gen.waitForEvent("cycle", { timeoutMs: 10_000 });
  assert.equal(await readFile(paths.map, "utf8"), "app-r123.dev.tld app-r123\napp-r124.dev.tld app-r124\n");
  assert.equal(gen.count("metadata-unavailable"), 0);
  const entries = gen.logs.filter(
    (line) => line.event === "container-skipped" && line["code"] === "entry-invalid",
  );
  assert.equal(entries.length, 3);
  const alias = await gen.waitForEvent("alias-skipped", { timeoutMs: 5000 });
  assert.equal(alias["code"], "alias-invalid");
  assert.match(String(alias["reason"]), /must map stack names to lists of names/);
});

test("11.7: an endless chunked /containers fails the read at the answer cap, with bounded memory", async (t) => {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const gen = startGenerator(t, { hostPort: server.hostPort, dir });
  await waitFor("the first files", 10_000, async () =>
    (await readOrUndefined(outputPaths(dir).map)) === MAP ? true : undefined,
  );
  const before = await readFile(outputPaths(dir).backends, "utf8");
  const from = gen.logs.length;
  await server.setFault({ kind: "endless-containers" });
  server.reload(); // a new version, so the loop reads /containers at once
  const failed = await gen.waitForEvent("metadata-unavailable", { from, timeoutMs: 15_000 });
  assert.equal(failed["kind"], "too-large", JSON.stringify(failed));
  assert.match(String(failed["error"]), /larger than 67108864 bytes \(the metadata answer cap\)/);
  const rssKb = Number(/VmRSS:\s+([0-9]+)/.exec(await readFile(`/proc/${gen.pid}/status`, "utf8"))?.[1]);
  assert.ok(rssKb < 400 * 1024, `RSS ${Math.round(rssKb / 1024)} MB after a capped answer`);
  assert.equal(await readFile(outputPaths(dir).backends, "utf8"), before, "the files are kept");
  await server.setFault(null);
  await gen.waitForEvent("recovered", { from, timeoutMs: 15_000 });
});

// The aliases answer was read to the general 64 MiB cap, every cycle (review of 2026-12-06).
test("an aliases answer past its cap fails the read like any other refusal: log, /healthz, cycle errors", async (t) => {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const gen = startGenerator(t, { hostPort: server.hostPort, dir, env: { STATUS_PORT: "0" } });
  const url = String((await gen.waitForEvent("status.listening", { timeoutMs: 15_000 }))["url"]);
  await waitFor("the first files", 10_000, async () =>
    (await readOrUndefined(outputPaths(dir).map)) === MAP ? true : undefined,
  );
  const from = gen.logs.length;
  server.update((tree) => rewriteAliases(tree, () => ({ "app-r123": ["w".repeat(ANSWER_CAPS.aliases)] })));
  const failed = await gen.waitForEvent("metadata-unavailable", { from, timeoutMs: 15_000 });
  assert.equal(failed["kind"], "too-large", JSON.stringify(failed));
  const named = `larger than ${ANSWER_CAPS.aliases} bytes (the cap of this path's answer)`;
  assert.ok(String(failed["error"]).includes(named), String(failed["error"]));
  assert.match(String(failed["error"]), /\/self\/service\/metadata\/aliases: /);
  type Health = { lastCycle?: { ok: boolean; error?: { message: string } | null } | null };
  const health = await waitFor("/healthz to name the cap", 10_000, async () => {
    const answer = await readStatusJson<Health>(url, "/healthz");
    return answer.json.lastCycle?.error?.message.includes(named) === true ? answer.json : undefined;
  });
  assert.equal(health.lastCycle?.ok, false);
  const kind = { stage: "read", kind: "too-large" };
  await waitFor("the cycle error to be counted", 10_000, async () => {
    const samples = await scrapeMetrics(url);
    return (metricValue(samples, "generate_maps_cycle_errors_total", kind) ?? 0) >= 1 ? true : undefined;
  });
  assert.equal(await readFile(outputPaths(dir).map, "utf8"), MAP, "the files are kept");
});

test("11.8: a symlink to /dev/zero, a FIFO, a symlink to a secret: replaced, never read or logged", async (t) => {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const secretDir = await tempDir(t);
  const secret = join(secretDir, "secret.key");
  await writeFile(secret, "TOP-SECRET-KEY-MATERIAL\n", { mode: 0o600 });
  const cases: [string, (path: string) => Promise<void>, string][] = [
    ["symlink to /dev/zero", (path) => symlink("/dev/zero", path), "backends"],
    ["FIFO", async (path) => void execFileSync("mkfifo", [path]), "map"],
    ["symlink to a 0600 file", (path) => symlink(secret, path), "map"],
    ["symlink to a 0600 file as the backends file", (path) => symlink(secret, path), "backends"],
  ];
  for (const [name, make, which] of cases) {
    const dir = await tempDir(t);
    const paths = outputPaths(dir);
    await make(which === "map" ? paths.map : paths.backends);
    const gen = startGenerator(t, { hostPort: server.hostPort, dir });
    // (lstat first: reading the FIFO here would block this test, not the generator)
    await waitFor(`${name}: the files`, 10_000, async () =>
      (await lstat(paths.map)).isFile() && (await readOrUndefined(paths.map)) === MAP ? true : undefined,
    );
    for (const path of [paths.map, paths.backends])
      assert.ok((await lstat(path)).isFile(), `${name}: ${path} is a regular file now`);
    assert.ok(!JSON.stringify(gen.logs).includes("TOP-SECRET"), `${name}: the secret is in no log line`);
    const replaced = await gen.waitForEvent("output-replaced", { timeoutMs: 5000 });
    assert.match(String(replaced["reason"]), /symbolic link|FIFO/, name);
    const exit = await gen.stop({ timeoutMs: 5000 });
    assert.equal(exit.signal, null, `${name}: SIGTERM stops it`);
    assert.equal(exit.code, 0, name);
    assert.ok(!JSON.stringify(gen.logs).includes("TOP-SECRET"), `${name}: nor after the stop`);
  }
  assert.equal(await readFile(secret, "utf8"), "TOP-SECRET-KEY-MATERIAL\n", "the target is untouched");
});

test("an old map of 8 MiB of empty lines (under core's 64 MiB cap) is replaced unread, again when it comes back; the loop goes on", async (t) => {
  // Read whole, split and diffed, such a map cost seconds per cycle (63 MiB: the process, out of heap).
  // The old outputs are read up to twice the new bytes + 1 MiB; a larger one is replaced like a symlink.
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const paths = outputPaths(dir);
  const bomb = "\n".repeat(8 * 1024 * 1024);
  await writeFile(paths.map, bomb);
  const gen = startGenerator(t, { hostPort: server.hostPort, dir });
  const replaced = await gen.waitForEvent("output-replaced", { timeoutMs: 10_000 });
  assert.equal(replaced["path"], paths.map);
  assert.match(String(replaced["reason"]), /^it holds 8388608 bytes, more than the \d+-byte cap$/);
  await waitFor("the map", 10_000, async () =>
    (await readOrUndefined(paths.map)) === MAP ? true : undefined,
  );
  // The hostile writer comes back: the interval's check sees the file moved, the next cycle replaces it.
  const from = gen.logs.length;
  await writeFile(paths.map, bomb);
  const again = await gen.waitForEvent("output-replaced", { from, timeoutMs: 10_000 });
  assert.equal(again["path"], paths.map);
  await waitFor("the map again", 10_000, async () =>
    (await readOrUndefined(paths.map)) === MAP ? true : undefined,
  );
  // (Waited for: the line is logged after the rename, so it may come after the file is seen.)
  const changed = await gen.waitForEvent("file-changed", { from, timeoutMs: 10_000 });
  assert.match(String(changed["diff"]), /^… not diffed: the previous file was not read \(it holds 8388608/);
  const exit = await gen.stop({ timeoutMs: 5000 });
  assert.equal(exit.code, 0, "SIGTERM stops it");
});

test("11.9: containers in Rancher's updating-running / updating-healthy states stay routed", async (t) => {
  const tree = editContainers(TREE, {
    "app-r123-web-1": { state: "updating-running" },
    "app-r123-web-2": { health_state: "updating-healthy" },
  });
  const server = await startMetadataServer({ tree, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  startGenerator(t, { hostPort: server.hostPort, dir });
  await waitFor("the files", 10_000, async () =>
    (await readOrUndefined(outputPaths(dir).map)) === MAP ? true : undefined,
  );
  const backends = await readFile(outputPaths(dir).backends, "utf8");
  assert.match(backends, /server web-c0000123-0001-4000-8000-000000000001 127\.0\.0\.11:80\n/);
  assert.match(backends, /server web-c0000123-0002-4000-8000-000000000002 127\.0\.0\.12:80\n/);
});

test("11.4: loopback container addresses are refused unless BACKEND_NETWORKS allows them", async (t) => {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const run = async (networks: string) => {
    const dir = await tempDir(t);
    const paths = outputPaths(dir);
    const gen = spawnGenerateMaps({
      args: [
        "--once",
        "--api-host",
        server.hostPort,
        "--domain-map",
        paths.map,
        "--backends",
        paths.backends,
      ],
      env: { STACK_DOMAIN: "dev.tld", STATUS_PORT: "off", BACKEND_NETWORKS: networks },
    });
    t.after(() => gen.stop({ signal: "SIGKILL", timeoutMs: 5000 }));
    const exit = await gen.exited;
    return { exit, gen, map: await readOrUndefined(paths.map) };
  };
  const open = await run("");
  assert.equal(open.exit.code, 0);
  assert.equal(open.map, "", "nothing on loopback is routed by default");
  const codes = open.gen.logs
    .filter((line) => line.event === "container-skipped")
    .map((line) => line["code"]);
  assert.ok(codes.includes("ip-special"), JSON.stringify(codes));
  const special = open.gen.logs.find((line) => line["code"] === "ip-special");
  assert.match(String(special?.["reason"]), /is a loopback address, never a backend/);

  const elsewhere = await run("10.42.0.0/16");
  assert.equal(elsewhere.map, "");
  assert.ok(elsewhere.gen.logs.some((line) => line["code"] === "ip-not-allowed"));

  assert.equal((await run("127.0.0.0/8")).map, MAP);
  const bad = await run("10.42.0.1/16");
  assert.equal(bad.exit.code, 2);
  assert.ok(
    bad.gen.logs.some((line) => /invalid BACKEND_NETWORKS "10.42.0.1\/16"/.test(String(line.raw))),
    JSON.stringify(bad.gen.logs),
  );
});

test("11.11: temp files a killed writer left beside the outputs are removed at the next start; a fresh one is kept", async (t) => {
  const server = await startMetadataServer({ tree: TREE, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const stale = [".domain.map.4242.0123abcd.tmp", ".backends.cfg.77.deadbeef.tmp"];
  // A running generator's staged write (a start-before-stop upgrade): too young to tell from a leftover.
  const fresh = ".domain.map.7.feedface.tmp";
  const foreign = ["other.tmp", ".domain.map.tmp", ".haproxy.cfg.4242.0123abcd.tmp", fresh];
  for (const name of [...stale, ...foreign]) await writeFile(join(dir, name), "half a file");
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const name of stale) await utimes(join(dir, name), hourAgo, hourAgo);
  await mkdir(join(dir, ".domain.map.99.00000000.tmp")); // a directory is never touched
  const gen = startGenerator(t, { hostPort: server.hostPort, dir });
  await waitFor("the files", 10_000, async () =>
    (await readOrUndefined(outputPaths(dir).map)) === MAP ? true : undefined,
  );
  const left = (await readdir(dir)).sort();
  assert.deepEqual(left, [".domain.map.99.00000000.tmp", ...foreign, "backends.cfg", "domain.map"].sort());
  assert.equal(gen.count("temp-removed"), 2);
});

test("11.16: a container name cannot forge a log line (pretty) and a 100 kB name is cut (both formats)", async (t) => {
  const forged = "[12:00:00.000] INFO (generate-maps): forged line";
  const tree = structuredClone(TREE);
  const containers = tree.containers as Record<string, unknown>[];
  const template = containers.find((c) => c["name"] === "app-r124-web-2") ?? {};
  containers.push(
    { ...template, name: `evil\n${forged}`, uuid: "e0000000-0001-4000-8000-000000000001" },
    { ...template, name: `huge-${"x".repeat(100_000)}`, uuid: "e0000000-0002-4000-8000-000000000002" },
  );
  const server = await startMetadataServer({ tree, longPollTickMs: 100 });
  t.after(() => server.close());
  for (const format of ["pretty", "json"]) {
    const dir = await tempDir(t);
    const gen = startGenerator(t, { hostPort: server.hostPort, dir, env: { LOG_FORMAT: format } });
    await waitFor(`${format}: the files`, 10_000, async () =>
      (await readOrUndefined(outputPaths(dir).map)) === MAP ? true : undefined,
    );
    await waitFor(`${format}: both skips logged`, 5000, () => {
      const text = JSON.stringify(gen.logs);
      return text.includes("evil") && text.includes("huge-xxx") ? true : undefined;
    });
    await gen.stop();
    const lines = gen.logs.map((line) => (line.raw !== undefined ? String(line.raw) : JSON.stringify(line)));
    assert.ok(
      lines.every((line) => !line.startsWith("[12:00:00.000]") && !line.includes('"msg":"[12:00')),
      `${format}: a forged line`,
    );
    const longest = Math.max(...lines.map((line) => line.length));
    assert.ok(longest < 8 * 1024, `${format}: a ${longest}-character log line`);
    assert.ok(
      lines.some((line) => line.includes("more characters)")),
      `${format}: the cut is said`,
    );
  }
});

test("an answer of more than 250 000 entries (`[{},{},…]`, 750 KB) is refused as a whole, before the model keeps them all", async (t) => {
  // Under the byte cap, 64 MiB of `{}` is 21 million entries: ≈ 1 GB of unlabelled refs kept by the model.
  const hostPort = await startRawMetadata(t, `[${Array(250_001).fill("{}").join(",")}]`);
  const { once, paths, exit } = await runOnce(t, hostPort);
  assert.notEqual(exit.code, 0);
  const failed = once.logs.find((line) => line.event === "metadata-unavailable");
  assert.equal(failed?.["kind"], "too-large", JSON.stringify(once.logs.slice(-3)));
  assert.match(String(failed?.["error"]), /containers: answer has more than 250000 entries/);
  assert.equal(await readOrUndefined(paths.map), undefined, "nothing written");
});

test("a long stack uuid, container name or aliases key is cut in every skip and note that quotes it: /routes answers", async (t) => {
  // Each value is quoted by another container's or alias's skip. Before, the reasons pasted them whole:
  // a 1 MiB stack uuid quoted by 3 000 skips made /routes throw `Invalid string length` after 14 s of a
  // blocked loop and 4 GB of RSS, and a 1 MB aliases key with 20 000 aliases kept a cycle busy for minutes.
  const long = "f".repeat(100_000);
  const tree = structuredClone(TREE);
  const containers = tree.containers as Record<string, unknown>[];
  const template = routedTemplate(containers);
  const http = { "map-public-http": "8080" };
  const tcp = { "map-public-tcp": "15432:5432" };
  const uuid = (n: number) => `e0000000-00${n}-4000-8000-000000000001`;
  containers.push(
    // one stack name, two stack uuids: the lowest uuid (the long one) wins the backend
    { ...template, name: "twin-a", uuid: uuid(11), stack_name: "twin", stack_uuid: `a${long}`, labels: http },
    { ...template, name: "twin-b", uuid: uuid(12), stack_name: "twin", stack_uuid: "b", labels: http },
    // one server name twice: the long name comes first and wins
    { ...template, name: `dup-${long}`, uuid: uuid(21), labels: http },
    { ...template, name: "dup-z", uuid: uuid(21), labels: http },
    // one public TCP port, one stack name, two stack uuids
    { ...template, name: "db-a", uuid: uuid(31), stack_name: "db", stack_uuid: `a${long}`, labels: tcp },
    { ...template, name: "db-b", uuid: uuid(32), stack_name: "db", stack_uuid: "b", labels: tcp },
    // a long name on a container with a note (a misspelt option label): the note names it
    {
      ...template,
      name: `noted-${long}`,
      uuid: uuid(51),
      stack_name: "noted",
      labels: { ...http, "map-public-http.timeout-servxx": "1" },
    },
    // one TCP server name twice
    {
      ...template,
      name: `tcp-${long}`,
      uuid: uuid(41),
      stack_name: "cache",
      labels: { "map-public-tcp": "16379:6379" },
    },
    {
      ...template,
      name: "tcp-z",
      uuid: uuid(41),
      stack_name: "cache",
      labels: { "map-public-tcp": "16379:6379" },
    },
  );
  rewriteAliases(tree, (aliases) => ({ ...aliases, [`k${long}`]: ["one", "two"] }));
  const routes = (await firstRoutes(t, tree)) as {
    skipped: { container: string; code: string; reason: string }[];
    skippedAliases: { alias: string; stack: string; code: string; reason: string }[];
    notes: { backend: string; container: string | null; code: string }[];
  };
  const reasons = new Map(routes.skipped.map((skip) => [skip.container, `${skip.code}: ${skip.reason}`]));
  assert.match(
    reasons.get("twin-b") ?? "",
    /^stack-case-conflict: .*\(uuid af+… \(99801 more characters\)\)/,
  );
  assert.match(
    reasons.get("dup-z") ?? "",
    /^duplicate-server: .* by container dup-f+… \(99804 more characters\)$/,
  );
  assert.match(reasons.get("db-b") ?? "", /^tcp-port-conflict: .*\(uuid af+… \(99801 more characters\)\)/);
  assert.match(
    reasons.get("tcp-z") ?? "",
    /^duplicate-server: .* by container tcp-f+… \(99804 more characters\)$/,
  );
  const aliases = routes.skippedAliases.filter((skip) => skip.alias === "one" || skip.alias === "two");
  assert.deepEqual(
    aliases.map((skip) => skip.code),
    ["alias-stack-not-routed", "alias-stack-not-routed"],
  );
  for (const skip of [...routes.skipped, ...aliases])
    assert.ok(
      skip.reason.length < 1000,
      `a ${skip.reason.length}-character reason: ${skip.reason.slice(0, 80)}`,
    );
  for (const skip of aliases) assert.ok(skip.stack.length < 300, `an aliases key of ${skip.stack.length}`);
  // a container's name is cut once, where the model names it: in its notes and skips as in its logs
  const noted = routes.notes.find((note) => note.backend === "noted");
  assert.match(noted?.container ?? "", /^noted-f+… \(99806 more characters\)$/);
  for (const skip of routes.skipped)
    assert.ok(skip.container.length < 300, `a ${skip.container.length}-character name`);
});

test("a name cut where a surrogate pair would be split keeps the pair whole: /routes has no lone surrogate", async (t) => {
  // The 200th UTF-16 unit of each name below is the first half of 😀: cut there, the name ended in a lone
  // surrogate, which /routes' JSON wrote as `\ud83d` (strict JSON readers refuse it) and /explain's text
  // as U+FFFD.
  const emoji = (prefix: string) => `${prefix}${"x".repeat(199 - prefix.length)}${"😀".repeat(50)}`;
  const tree = structuredClone(TREE);
  const containers = tree.containers as Record<string, unknown>[];
  const template = routedTemplate(containers);
  const http = { "map-public-http": "8080" };
  const uuid = "e0000000-0061-4000-8000-000000000001";
  containers.push(
    // a note names the container; a duplicate-server skip quotes the winner's name
    {
      ...template,
      name: emoji("noted-"),
      uuid,
      stack_name: "noted",
      labels: { ...http, "map-public-http.timeout-servxx": "1" },
    },
    { ...template, name: "noted-z", uuid, stack_name: "noted", labels: http },
  );
  rewriteAliases(tree, (aliases) => ({ ...aliases, [emoji("k")]: ["one"] }));
  const routes = (await firstRoutes(t, tree)) as {
    skipped: { container: string; code: string; reason: string }[];
    skippedAliases: { alias: string; stack: string; reason: string }[];
    notes: { backend: string; container: string | null }[];
  };
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const noted = routes.notes.find((note) => note.backend === "noted")?.container ?? "";
  assert.match(noted, /^noted-x+… \(100 more characters\)$/, "cut before the pair, the pair counted");
  const duplicate = routes.skipped.find((skip) => skip.container === "noted-z");
  assert.match(duplicate?.reason ?? "", /by container noted-x+… \(100 more characters\)$/);
  const alias = routes.skippedAliases.find((skip) => skip.alias === "one");
  assert.match(alias?.stack ?? "", /^kx+… \(100 more characters\)$/);
  for (const text of [noted, duplicate?.reason ?? "", alias?.stack ?? "", alias?.reason ?? ""])
    assert.doesNotMatch(text, lone);
});

test("thousands of skipped aliases: /routes and a cycle's log list 1 000 of each code and count the rest; /explain still explains each", async (t) => {
  // Before, each skip was listed and logged: 100 000 aliases of an 8 MB key (cut to 200 characters in
  // each) made a 60 MB /routes, 87 MB of log lines in one cycle and an 841 MB peak.
  const tree = structuredClone(TREE);
  const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  rewriteAliases(tree, (aliases) => ({
    ...aliases,
    gone: names("a", 2500), // no container of stack gone: alias-stack-not-routed
    "app-r123": names("-bad", 1200), // not DNS names: alias-invalid
  }));
  const { gen, url } = await firstCycle(t, tree);
  const routes = (await (await fetch(`${url}/routes`)).json()) as {
    counts: { skippedAliases: number };
    skippedAliases: { alias: string; stack: string; code: string }[];
    skippedAliasesCut: { limit: number; unlisted: Record<string, number>; reason: string } | null;
  };
  const listed = (code: string) => routes.skippedAliases.filter((skip) => skip.code === code);
  assert.equal(listed("alias-stack-not-routed").length, 1000);
  assert.equal(listed("alias-invalid").length, 1000);
  assert.deepEqual(routes.skippedAliasesCut?.unlisted, {
    "alias-invalid": 200,
    "alias-stack-not-routed": 1500,
  });
  assert.equal(routes.skippedAliasesCut?.limit, 1000);
  assert.match(routes.skippedAliasesCut?.reason ?? "", /\/explain\?host=/);
  assert.equal(routes.counts.skippedAliases, routes.skippedAliases.length + 1700, "counted all");

  // the log: one line per listed skip, one per code counting the rest
  const logged = (code: string) => gen.count("alias-skipped", (line) => line["code"] === code);
  assert.equal(logged("alias-stack-not-routed"), 1000);
  assert.equal(logged("alias-invalid"), 1000);
  const unlisted = gen.logs.filter((line) => line["event"] === "alias-skipped-unlisted");
  assert.deepEqual(
    unlisted.map((line) => [line["code"], line["count"]]),
    [
      ["alias-invalid", 200],
      ["alias-stack-not-routed", 1500],
    ],
  );

  // an alias neither listed nor logged is still explained, and still counted by the metric
  const shown = new Set(listed("alias-stack-not-routed").map((skip) => skip.alias));
  const hidden = names("a", 2500).find((name) => !shown.has(name)) ?? "";
  const answer = (await (await fetch(`${url}/explain?host=${hidden}.dev.tld`)).json()) as {
    matches: { aliases: { alias: string; code: string; reason: string }[] }[];
  };
  assert.deepEqual(answer.matches[0]?.aliases, [
    {
      alias: hidden,
      stack: "gone",
      code: "alias-stack-not-routed",
      reason: "stack gone has no routed container",
      meaning: "the alias's stack has no routed container",
    },
  ]);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /generate_maps_aliases_skipped\{reason="alias-stack-not-routed"\} 2500\b/);
});
