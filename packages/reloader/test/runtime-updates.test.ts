// Zero-reload updates through HAProxy's runtime API, against a real HAProxy: scaling within a backend
// and alias and path-rule changes reach HAProxy without a reload (its own reload counter and worker pid unchanged), a
// runtime step answered with an error or a read-back that differs ends in one reload and a consistent
// state, and a backend running out of slots grows with exactly one reload.
import assert from "node:assert/strict";
import { access, chmod, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend, type Backend } from "../../test-support/src/http/index.ts";
import { metricValue, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { parseSharedFiles, renderDomainMap } from "@rancher-haproxy/core";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { parseServersState } from "../src/haproxy/parse-servers-state.ts";
import { currentWorker } from "@rancher-haproxy/core";
import { sendWorkerCommands } from "../src/haproxy/worker-commands.ts";
import { compareServers } from "../src/model/compare-readback.ts";
import { slotsToJson } from "../src/model/server-slots.ts";
import { renderPathHostsMap } from "../src/render/render-path-hosts-map.ts";
import { renderSlottedBackends } from "../src/render/render-slotted-backends.ts";
import { readSlots } from "../src/sources/read-slots.ts";
import { createFixture, type Fixture } from "./helpers/fixture.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

// The app backend with these containers (server names app-<i>, stable per container).
const appFile = (containers: readonly Backend[], indexes: readonly number[]) =>
  renderTestBackends([
    {
      name: "app",
      servers: indexes.map((index) => ({ name: `app-${index}`, address: containers[index]?.address ?? "" })),
    },
  ]);

// app (app-0 on the first container, and app-9 on the second when `grown`) and other (other-0 on the
// second): the files of the fallback tests, a new backend first, then one more server in app.
const appAndOther = (containers: readonly Backend[], grown: boolean) =>
  renderTestBackends([
    {
      name: "app",
      servers: [
        { name: "app-0", address: containers[0]?.address ?? "" },
        ...(grown ? [{ name: "app-9", address: containers[1]?.address ?? "" }] : []),
      ],
    },
    { name: "other", servers: [{ name: "other-0", address: containers[1]?.address ?? "" }] },
  ]);

// HAProxy's reload counter and current worker pid (show proc on the master CLI).
async function haproxyGeneration(fixture: Fixture): Promise<{ reloads: number; workerPid: number }> {
  const info = await readProc(join(fixture.stateDir, "master.sock"));
  assert.ok(info, "show proc answers");
  return { reloads: info.reloads, workerPid: currentWorker(info)?.pid ?? -1 };
}

// Adds the `other` backend beside app (a new backend: a reload); its reload.applied line.
async function addOther(fixture: Fixture, containers: readonly Backend[]): Promise<Record<string, unknown>> {
  const from = fixture.reloader.logs.length;
  await fixture.write({ backends: appAndOther(containers, false) });
  return fixture.reloader.waitForEvent("reload.applied", { from });
}

// Removes www.dev.tld from the running map behind the reloader's back, so re-pointing it is answered
// "entry not found"; returns the log index what follows is read from.
async function dropWwwFromRunningMap(fixture: Fixture): Promise<number> {
  const from = fixture.reloader.logs.length;
  const masterSocket = join(fixture.stateDir, "master.sock");
  assert.ok((await sendWorkerCommands(masterSocket, ["del map domain.map www.dev.tld"])).ok);
  return from;
}

// Which containers answer for `host` over `tries` requests (round robin spreads them).
async function answering(fixture: Fixture, host: string, tries: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries; i++) {
    const answer = await httpRequest({ url: fixture.url, host, timeoutMs: 2000 });
    seen.add(answer.status === 200 ? answer.body : `status ${answer.status}`);
  }
  return seen;
}

// What the worker runs equals the `current` snapshot: every slot of every backend (show servers state)
// and the whole map (show map), against slots.json and the shared files the snapshot was rendered from,
// and the path-host markers (show map path-hosts.map) against the snapshot's path-hosts.map; and the
// snapshot's rendered files against a fresh rendering.
async function assertConsistent(fixture: Fixture): Promise<void> {
  const current = join(fixture.stateDir, await readlink(join(fixture.stateDir, "current")));
  const slots = await readSlots(current);
  const parsed = parseSharedFiles({
    backends: await readFile(join(current, "inputs", "haproxy-backends.cfg")),
    map: await readFile(join(current, "inputs", "domain.map")),
  });
  assert.ok(slots && parsed.ok, "the snapshot holds slots.json and valid inputs");
  // Its files are the full rendering of its inputs and slots, byte for byte (whatever was reused).
  assert.equal(
    await readFile(join(current, "backends.cfg"), "utf8"),
    renderSlottedBackends(parsed.table, slots),
  );
  assert.equal(
    await readFile(join(current, "slots.json"), "utf8"),
    `${JSON.stringify(slotsToJson(slots))}\n`,
  );
  assert.equal(await readFile(join(current, "domain.map"), "utf8"), renderDomainMap(parsed.table));
  assert.equal(
    await readFile(join(current, "path-hosts.map"), "utf8"),
    renderPathHostsMap(parsed.table.hosts.map((host) => host.fqdn)),
  );
  const backends = parsed.table.backends;
  const read = await sendWorkerCommands(join(fixture.stateDir, "master.sock"), [
    ...backends.map((backend) => `show servers state ${backend.name}`),
    "show map domain.map",
    "show map path-hosts.map",
  ]);
  assert.ok(read.ok, "the worker answers");
  for (const [index, backend] of backends.entries()) {
    const states = parseServersState(read.answers[index]?.answer ?? "", backend.name);
    assert.equal(compareServers(backend.name, slots.get(backend.name) ?? [], backend.servers, states), null);
  }
  const shown = (answer: string | undefined) =>
    (answer ?? "")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => line.split(" ").slice(1).join(" "))
      .sort();
  const expected = parsed.table.hosts.map((host) => `${host.fqdn} ${host.backend}`).sort();
  assert.deepEqual(shown(read.answers.at(-2)?.answer), expected, "show map equals the snapshot's map");
  const markers = (await readFile(join(current, "path-hosts.map"), "utf8")).split("\n").filter(Boolean);
  assert.deepEqual(shown(read.answers.at(-1)?.answer), markers.sort(), "and the path-host markers");
}

const sameSet = (a: Set<string>, b: readonly string[]) => a.size === b.length && b.every((x) => a.has(x));

// Write files and wait until they are applied (reload.applied or runtime.applied with their hash).
async function apply(fixture: Fixture, files: { backends?: string; map?: string }): Promise<string> {
  const from = fixture.reloader.logs.length;
  await fixture.write(files);
  const line = await waitFor(
    () =>
      fixture.reloader.logs
        .slice(from)
        .find((entry) => entry.event === "runtime.applied" || entry.event === "reload.applied") ?? null,
    { timeoutMs: 15_000, message: "the change to be applied" },
  );
  // a burst of two renames may apply twice: wait for the reloader to settle on the last content
  await new Promise((resolve) => setTimeout(resolve, 150));
  return String(line.event);
}

// The first pass after a start recognises the files HAProxy was started from (what it runs is known
// from then on): wait for it, so a change written right after the start is not read by that pass.
async function startedKnown(fixture: Fixture, from = 0): Promise<void> {
  await fixture.reloader.waitForEvent("inputs.live", { from });
}

async function startApp(t: { after: (fn: () => unknown) => void }, first: number, count: number) {
  const containers = await Promise.all(
    Array.from({ length: count }, (_, i) => startBackend({ name: `app-${i}`, host: `127.0.0.${first + i}` })),
  );
  t.after(() => Promise.all(containers.map((backend) => backend.close())));
  return containers;
}

test("scale 1 → 4 → 1, an alias and a path rule added and removed: routed, and 0 reloads", async (t) => {
  const containers = await startApp(t, 161, 4);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appFile(containers, [0]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  // The first change after the start is known: HAProxy runs the snapshot the reloader just started it from.
  await startedKnown(fixture);
  const before = await haproxyGeneration(fixture);
  const reloadsBefore = fixture.reloader.count("reload.applied");

  assert.equal(await apply(fixture, { backends: appFile(containers, [0, 1, 2, 3]) }), "runtime.applied");
  await waitFor(
    async () => sameSet(await answering(fixture, "app.dev.tld", 12), ["app-0", "app-1", "app-2", "app-3"]),
    {
      timeoutMs: 10_000,
      message: "all four containers to answer",
    },
  );
  assert.equal(
    await apply(fixture, { map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) }),
    "runtime.applied",
  );
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).status, 200);
  assert.equal(await apply(fixture, { backends: appFile(containers, [2]) }), "runtime.applied");
  assert.ok(sameSet(await answering(fixture, "app.dev.tld", 8), ["app-2"]), "only app-2 is routed");
  assert.equal(await apply(fixture, { map: renderTestMap({ "app.dev.tld": "app" }) }), "runtime.applied");
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).status, 503);
  // A path rule on a host without other keys: its key and its path-hosts.map marker, added then removed.
  const withPath = { "app.dev.tld": "app", "api.dev.tld/v1": "app" };
  assert.equal(await apply(fixture, { map: renderTestMap(withPath) }), "runtime.applied");
  const api = (path: string) => httpRequest({ url: `${fixture.url}${path}`, host: "api.dev.tld" });
  assert.equal((await api("v1/x")).body, "app-2");
  assert.equal((await api("v2")).status, 503);
  await assertConsistent(fixture);
  assert.equal(await apply(fixture, { map: renderTestMap({ "app.dev.tld": "app" }) }), "runtime.applied");
  assert.equal((await api("v1/x")).status, 503);

  const after = await haproxyGeneration(fixture);
  assert.deepEqual(after, before, "HAProxy's reload counter and worker pid are unchanged");
  assert.equal(fixture.reloader.count("reload.applied"), reloadsBefore);
  // The snapshot HAProxy would load on a reload holds the same state: app-2 in its slot (s3), kept.
  const current = join(fixture.stateDir, await readlink(join(fixture.stateDir, "current")));
  const backends = await readFile(join(current, "backends.cfg"), "utf8");
  assert.match(backends, new RegExp(`server s3 ${containers[2]?.address}\\n`));
  assert.match(backends, /server s1 127\.0\.0\.1:1 disabled\n/);
  const slots = JSON.parse(await readFile(join(current, "slots.json"), "utf8")) as Record<
    string,
    { server: string | null }[]
  >;
  assert.deepEqual(
    slots["app"]?.map((slot) => slot.server),
    [null, null, "app-2", null, null, null, null, null, null, null],
  );
  await assertConsistent(fixture);
});

test("a runtime step answered with an error, and a read-back that differs, each end in one reload", async (t) => {
  const containers = await startApp(t, 171, 2);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appFile(containers, [0]),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }),
  });
  const masterSocket = join(fixture.stateDir, "master.sock");
  const before = await haproxyGeneration(fixture);
  await addOther(fixture, containers);
  // Someone else removed www.dev.tld from the running map: re-pointing it is answered "entry not found".
  const from2 = await dropWwwFromRunningMap(fixture);
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "other" }) });
  const fallback = await fixture.reloader.waitForEvent("runtime.fallback", { from: from2 });
  assert.match(String(fallback["reason"]), /entry not found/);
  const reloaded = await fixture.reloader.waitForEvent("reload.applied", { from: from2 });
  assert.equal(reloaded["reason"], "runtime-fallback");
  assert.equal(reloaded["generation"], fallback["generation"]);
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body === "app-1", {
    timeoutMs: 5000,
    message: "www.dev.tld to reach the other backend after the reload",
  });

  // The read-back sees a slot someone else put in maintenance: a reload restores the snapshot's state.
  const from3 = fixture.reloader.logs.length;
  assert.ok((await sendWorkerCommands(masterSocket, ["set server app/s1 state maint"])).ok);
  await fixture.write({
    backends: appAndOther(containers, true),
  });
  const mismatch = await fixture.reloader.waitForEvent("runtime.fallback", { from: from3 });
  assert.match(String(mismatch["reason"]), /read-back differs: app\/s1 \(app-0\) is not ready/);
  await fixture.reloader.waitForEvent("reload.applied", { from: from3 });
  await waitFor(async () => sameSet(await answering(fixture, "app.dev.tld", 8), ["app-0", "app-1"]), {
    timeoutMs: 5000,
    message: "both app containers to answer after the reload",
  });
  const after = await haproxyGeneration(fixture);
  assert.equal(after.reloads, before.reloads + 3, "one reload for the new backend, one per fallback");
  await assertConsistent(fixture);
});

test("a backend out of free slots grows by one block with exactly one reload, then scales without", async (t) => {
  const containers = await startApp(t, 181, 4);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appFile(containers, [0]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    env: { SERVER_SLOTS: "2" },
  });
  await startedKnown(fixture);
  const before = await haproxyGeneration(fixture);
  assert.equal(await apply(fixture, { backends: appFile(containers, [0, 1]) }), "runtime.applied");
  const from = fixture.reloader.logs.length;
  assert.equal(await apply(fixture, { backends: appFile(containers, [0, 1, 2]) }), "reload.applied");
  const planned = await fixture.reloader.waitForEvent("reload.planned", { from });
  assert.equal(planned["reason"], "slots-exhausted");
  assert.equal(await apply(fixture, { backends: appFile(containers, [0, 1, 2, 3]) }), "runtime.applied");
  assert.equal(await apply(fixture, { backends: appFile(containers, [1, 3]) }), "runtime.applied");
  assert.equal(await apply(fixture, { backends: appFile(containers, [0, 1, 2, 3]) }), "runtime.applied");
  await waitFor(
    async () => sameSet(await answering(fixture, "app.dev.tld", 12), ["app-0", "app-1", "app-2", "app-3"]),
    {
      timeoutMs: 10_000,
      message: "all four containers to answer",
    },
  );
  const after = await haproxyGeneration(fixture);
  assert.equal(after.reloads, before.reloads + 1, "exactly one reload");
  await assertConsistent(fixture);
});

test("a restarted reloader keeps the slot assignment, and its first scale event needs no reload", async (t) => {
  const containers = await startApp(t, 186, 3);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appFile(containers, [0, 1, 2]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await startedKnown(fixture);
  assert.equal(await apply(fixture, { backends: appFile(containers, [1, 2]) }), "runtime.applied");
  const holders = async () => {
    const current = join(fixture.stateDir, await readlink(join(fixture.stateDir, "current")));
    return (await readSlots(current))?.get("app")?.map((slot) => slot.server);
  };
  const kept = [null, "app-1", "app-2", null, null, null, null, null, null, null];
  assert.deepEqual(await holders(), kept);

  await fixture.reloader.stop();
  await fixture.start();
  await startedKnown(fixture);
  assert.deepEqual(await holders(), kept, "the new start snapshot keeps every container in its slot");
  const before = await haproxyGeneration(fixture);
  assert.equal(await apply(fixture, { backends: appFile(containers, [0, 1, 2]) }), "runtime.applied");
  assert.deepEqual(await holders(), ["app-0", "app-1", "app-2", null, null, null, null, null, null, null]);
  assert.deepEqual(await haproxyGeneration(fixture), before);
  await assertConsistent(fixture);
});

test("a runtime fallback whose reload HAProxy refuses leaves `current` on what the worker runs, and the retry applies it", async (t) => {
  const containers = await startApp(t, 191, 2);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appFile(containers, [0]),
    map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }),
    deferStart: true,
  });
  // A port another process holds (no SO_REUSEPORT), and an HAProxy whose reloads fail to bind it while
  // `refuse` exists: the master re-executes its argv[0] (this script) on a reload, and that master also
  // loads a frontend on the held port. haproxy -c binds nothing, so every check still passes.
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => holder.close(resolve)));
  const blockCfg = join(fixture.dir, "held-port.cfg");
  await writeFile(
    blockCfg,
    `frontend rh_held\n    bind 127.0.0.1:${(holder.address() as AddressInfo).port}\n`,
  );
  const refuse = join(fixture.dir, "refuse-reloads");
  const bin = join(fixture.dir, "refusing-haproxy");
  await writeFile(
    bin,
    `#!/bin/bash
# The master re-executes with its own arguments: drop what an earlier refusal added, add it while refusing.
args=()
while [[ $# -gt 0 ]]; do
  if [[ $1 == -f && \${2:-} == ${blockCfg} ]]; then shift 2; continue; fi
  args+=("$1"); shift
done
if [[ -e ${refuse} && " \${args[*]} " == *" -W "* ]]; then args+=(-f ${blockCfg}); fi
exec -a "$0" haproxy "\${args[@]}"
`,
  );
  await chmod(bin, 0o755);
  await fixture.start(["--haproxy-bin", bin]);
  const masterSocket = join(fixture.stateDir, "master.sock");
  const running = (await addOther(fixture, containers))["generation"];
  const before = await haproxyGeneration(fixture);

  // A runtime step fails (someone removed www.dev.tld from the running map), and so does its fallback.
  await writeFile(refuse, "");
  const from2 = await dropWwwFromRunningMap(fixture);
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "other" }) });
  const fallback = await fixture.reloader.waitForEvent("runtime.fallback", { from: from2 });
  assert.notEqual(fallback["generation"], running);
  const failed = await fixture.reloader.waitForEvent("reload.failed", { from: from2 });
  assert.equal(failed["keptGeneration"], running, "the reload's log names the snapshot that still runs");
  // Retries fail too (0.5 s, 1 s...): each stages a snapshot, and pruning never takes the running one.
  await waitFor(
    () => fixture.reloader.logs.slice(from2).filter((l) => l.event === "reload.failed").length >= 3,
    {
      timeoutMs: 15_000,
      message: "three refused reloads",
    },
  );
  assert.equal(await readlink(join(fixture.stateDir, "current")), `gen-${String(running)}`);
  await access(join(fixture.stateDir, `gen-${String(running)}`, "haproxy.cfg")); // not pruned
  const proc = await readProc(masterSocket);
  assert.ok((proc?.reloads ?? 0) >= before.reloads + 3, "the master counted the refused reloads");
  assert.deepEqual(
    proc?.workers.map((worker) => worker.pid),
    [before.workerPid],
    "the old worker keeps serving",
  );
  assert.equal((await httpRequest({ url: fixture.url, host: "app.dev.tld" })).body, "app-0");

  // Once HAProxy takes reloads again, the retry applies the same files without a new write.
  const from3 = fixture.reloader.logs.length;
  await rm(refuse);
  const applied = await fixture.reloader.waitForEvent("reload.applied", { from: from3 });
  assert.equal(await readlink(join(fixture.stateDir, "current")), `gen-${String(applied["generation"])}`);
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body === "app-1", {
    timeoutMs: 5000,
    message: "www.dev.tld to reach the other backend",
  });
  await assertConsistent(fixture);
});

// Steps that fail partway (a slot set ready, then a `set map` answered "entry not found"), then a
// fallback snapshot whose check does not pass: `check` is the wrapper's line for `haproxy -c`.
for (const [what, first, check] of [
  ["refuses", 201, `echo "[ALERT] refused by the test" >&2; exit 1`],
  ["gives no verdict on (killed)", 211, "kill -9 $$"],
] as const) {
  test(`steps that fail partway and a fallback snapshot haproxy -c ${what}: the worker is reloaded onto what it ran, not left half-changed`, async (t) => {
    const containers = await startApp(t, first, 2);
    const fixture = await createFixture((fn) => t.after(fn), {
      backends: appFile(containers, [0]),
      map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }),
      deferStart: true,
    });
    // An HAProxy whose checks fail while `refuse` exists (HAProxy itself, reloads included, runs as usual).
    const refuse = join(fixture.dir, "refuse-checks");
    const bin = join(fixture.dir, "refusing-check-haproxy");
    await writeFile(
      bin,
      `#!/bin/bash
if [[ -e ${refuse} && " $* " == *" -c "* ]]; then ${check}; fi
exec -a "$0" haproxy "$@"
`,
    );
    await chmod(bin, 0o755);
    await fixture.start(["--haproxy-bin", bin, "--status-port", "0"]);
    const statusUrl = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);
    const running = (await addOther(fixture, containers))["generation"];

    // One change: app gains a container (its slot is set ready) and www.dev.tld moves to `other`, whose
    // `set map` fails (someone removed the key). HAProxy runs the `state ready` anyway; the fallback
    // snapshot then does not pass haproxy -c.
    const from2 = await dropWwwFromRunningMap(fixture);
    await writeFile(refuse, "");
    // Both files in one pass: otherwise a loaded machine's watcher may read the new backends before the
    // map is renamed and apply app-1's slot alone, a change of its own that succeeds, which the revert
    // then rightly keeps.
    await writeInOnePass(fixture, {
      backends: appAndOther(containers, true),
      map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "other" }),
    });
    const fallback = await fixture.reloader.waitForEvent("runtime.fallback", { from: from2 });
    assert.match(String(fallback["reason"]), /entry not found/);
    const reverted = await fixture.reloader.waitForEvent("runtime.reverted", { from: from2 });
    assert.equal(reverted["ok"], true);
    assert.equal(reverted["generation"], running, "reverted onto the snapshot before the one change");
    // The revert is counted like any reload: the reloader's count of reloads HAProxy ran is HAProxy's own.
    const samples = await scrapeMetrics(statusUrl);
    const counted = ["ok", "rejected", "interrupted"].reduce(
      (sum, result) => sum + (metricValue(samples, "reloader_reloads_total", { result }) ?? 0),
      0,
    );
    assert.equal(counted, (await haproxyGeneration(fixture)).reloads);
    // What the worker runs is the `current` snapshot again: app's new slot is back in maintenance.
    assert.deepEqual(await answering(fixture, "app.dev.tld", 8), new Set(["app-0"]));
    await assertConsistent(fixture);
    await rm(refuse);
  });
}
