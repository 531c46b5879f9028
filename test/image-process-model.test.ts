// The image's process model, run for real without a Docker engine: docker-entrypoint.sh under tini as
// PID 1 of a new PID namespace (`unshare --pid --fork --mount-proc`), as in the container, where the
// namespace dies with tini. A reloader killed with SIGKILL under load is started again by the entrypoint
// and adopts the HAProxy master it left (reparented to tini): no request fails, the same single master
// serves before and after, and a later file change is applied. An uncaught error in the reloader (injected)
// is handled the same way: HAProxy left serving, the reloader started again, the master adopted. SIGTERM to tini stops everything
// gracefully with exit code 0; bad options end it at once with exit code 2, never restarted. The
// `generate-maps` command (exec'd in the entrypoint's place) ignores SIGUSR1, SIGUSR2 and SIGQUIT sent to tini.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { writeFileAtomic } from "@rancher-haproxy/core";
import {
  descendants,
  freePort,
  haproxyMasters,
  httpRequest,
  loadRecordedTree,
  readProcess,
  readReloadCounter,
  remapIps,
  renderTestBackends,
  renderTestMap,
  runLoad,
  startBackend,
  startMetadataServer,
  waitFor,
  wrapLoggedChild,
  type Backend,
  type LoggedChild,
  type SimpleResponse,
} from "@rancher-haproxy/test-support";
import { ROOT } from "./helpers/deploy-files.ts";
import { ended } from "./helpers/ended.ts";

// The image's command `haproxy` with these flags, in a temp dir: the namespace's processes are reached
// through their host pids (the logs carry the namespace's own).
interface Image extends LoggedChild {
  dir: string;
  stateDir: string;
  url: string;
  write(files: { backends: string; map: string }): Promise<void>;
  /** host pids of the processes inside whose command line contains `text` */
  inside(text: string): number[];
}

async function startImage(
  t: TestContext,
  flags: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<Image> {
  const dir = await mkdtemp(join(tmpdir(), "rh-image-"));
  const etc = join(dir, "etc");
  await mkdir(etc);
  const port = await freePort();
  const files = { backends: join(etc, "haproxy-backends.cfg"), map: join(etc, "domain.map") };
  const write = async (content: { backends: string; map: string }) => {
    await writeFileAtomic(files.backends, content.backends);
    await writeFileAtomic(files.map, content.map);
  };
  await write({ backends: "", map: "" });
  const stateDir = join(dir, "state");
  const argv = ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "tini", "--"];
  const command = ["sh", join(ROOT, "docker-entrypoint.sh"), "haproxy"];
  const child = spawn(
    "unshare",
    [
      ...argv,
      ...command,
      ...["--state-dir", stateDir, "--backend-config", files.backends, "--domain-map", files.map],
      ...["--bind-address", "127.0.0.1", "--http-port", String(port), "--debounce-ms", "50"],
      ...(flags.includes("--stop-timeout") ? flags : ["--stop-timeout", "5s", ...flags]),
    ],
    {
      env: {
        PATH: `/usr/sbin:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
        RANCHER_HAPROXY_APP: join(ROOT, "packages"),
        RANCHER_API_HOST: "127.0.0.1:9",
        SYSLOG_HOST: "stdout",
        STATUS_PORT: "0",
        LOG_FORMAT: "json",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const logged = wrapLoggedChild(child, { label: "image", echo: process.env["RH_TEST_ECHO"] === "1" });
  // SIGKILL to unshare kills tini (--kill-child), and so the whole namespace.
  t.after(async () => {
    await logged.stop({ signal: "SIGKILL" });
    await rm(dir, { recursive: true, force: true });
  });
  const inside = (text: string) =>
    descendants(logged.pid)
      .filter((proc) => proc.command.includes(text))
      .map((proc) => proc.pid);
  return { ...logged, dir, stateDir, url: `http://127.0.0.1:${port}/`, write, inside };
}

// The pid a host process has in its own (innermost) PID namespace.
async function namespacePid(hostPid: number): Promise<number> {
  const status = await readFile(`/proc/${hostPid}/status`, "utf8");
  return Number(/^NSpid:\s.*?(\d+)\s*$/m.exec(status)?.[1]);
}

const RELOADER = "reloader/bin/reloader.js";

// Whether `host` is answered by backend `name` through HAProxy at `url`.
const routes = (url: string, host: string, name: string) => async () =>
  (await httpRequest({ url, host, timeoutMs: 2000 })).body === name;

// An image whose HAProxy routes app.dev.tld to a backend on `host`, its reloader ready.
async function servingImage(t: TestContext, host: string, env: Record<string, string> = {}): Promise<Image> {
  const app = await startBackend({ name: "app", host });
  t.after(() => app.close());
  const image = await startImage(t, [], env);
  await image.write({
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await waitFor(routes(image.url, "app.dev.tld", "app"), { timeoutMs: 20_000, message: "app routed" });
  await image.waitForEvent("reloader.ready", { timeoutMs: 10_000 });
  return image;
}

test("a reloader killed under load is restarted by the entrypoint and adopts HAProxy: one master, no failed request", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.74.1" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.74.2" });
  t.after(() => Promise.all([app.close(), fresh.close()]));
  const image = await startImage(t);
  const appOnly = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  await image.write({ backends: appOnly, map: renderTestMap({ "app.dev.tld": "app" }) });
  await waitFor(routes(image.url, "app.dev.tld", "app"), { timeoutMs: 20_000, message: "app routed" });
  const [tini] = image.inside("tini --");
  const [first] = image.inside(RELOADER);
  const [master] = haproxyMasters(image.stateDir);
  assert.ok(tini && first && master, "tini, a reloader and an HAProxy master run in the namespace");
  assert.deepEqual(haproxyMasters(image.stateDir), [master], "one master before");
  assert.equal(await namespacePid(tini), 1, "tini is PID 1");
  const masterInside = await namespacePid(master);

  const controller = new AbortController();
  const load = runLoad({
    url: image.url,
    targets: [{ host: "app.dev.tld", expect: "app" }],
    concurrency: 16,
    keepAlive: true,
    signal: controller.signal,
    maxDurationMs: 60_000,
    // 20 ms between a client's requests: the load only has to run through the kill, the entrypoint's
    // restart and the adoption's reload, not take all the machine has while they wait.
    pauseMs: 20,
  });
  try {
    await waitFor(() => app.requests > 50, { timeoutMs: 10_000, message: "the load to start" });
    const from = image.logs.length;
    process.kill(first, "SIGKILL");
    const before = app.requests;
    await waitFor(() => app.requests > before + 50, { timeoutMs: 10_000, message: "HAProxy to serve on" });
    assert.deepEqual(haproxyMasters(image.stateDir), [master], "the orphaned master still runs");
    const died = await image.waitForEvent("entrypoint.reloader-died", { from, timeoutMs: 10_000 });
    assert.equal(died["exitCode"], 137);
    const adopted = await image.waitForEvent("haproxy.adopted", { from, timeoutMs: 20_000 });
    assert.equal(adopted["pid"], masterInside, "the new reloader adopted the master");
    await image.waitForEvent("adopt.reloaded", { from, timeoutMs: 10_000 });
    assert.equal(image.count("haproxy.started"), 1, "no second HAProxy was ever started");
    assert.deepEqual(haproxyMasters(image.stateDir), [master], "the same single master after");
    const [second] = image.inside(RELOADER);
    assert.ok(second && second !== first, "a new reloader runs");

    const change = image.logs.length;
    await image.write({
      backends: renderTestBackends([
        { name: "app", servers: [{ address: app.address }] },
        { name: "fresh", servers: [{ address: fresh.address }] },
      ]),
      map: renderTestMap({ "app.dev.tld": "app", "fresh.dev.tld": "fresh" }),
    });
    await image.waitForEvent("reload.applied", { from: change, timeoutMs: 10_000 });
    await waitFor(routes(image.url, "fresh.dev.tld", "fresh"), {
      timeoutMs: 5000,
      message: "the change after the restart to be live",
    });
    assert.deepEqual(haproxyMasters(image.stateDir), [master], "still the same single master");
  } finally {
    controller.abort();
    const { sent, failed } = await load;
    console.log(`reloader SIGKILL in the image under load: ${sent} requests, ${failed} failed`);
  }
  const result = await load;
  assert.ok(result.sent > 200, `load ran (${result.sent} requests)`);
  assert.deepEqual(result.failures, []);

  // A clean stop: SIGTERM to tini reaches the reloader through the entrypoint, HAProxy stops gracefully.
  process.kill(tini, "SIGTERM");
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  const stopped = image.logs.filter((line) => line.event === "haproxy.stopped");
  assert.deepEqual(
    stopped.map((line) => line["pid"]),
    [masterInside],
    "the adopted master was stopped gracefully",
  );
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

// RELOADER_ON_CRASH of blanks only counts as unset, as for the reloader: the entrypoint's
// leave-haproxy applies (it was passed on as given, and the reloader's default stop-haproxy ended the
// container with exit 1, HAProxy stopped).
for (const [how, host, env] of [
  ["", "127.0.74.5", {}],
  [" (RELOADER_ON_CRASH of blanks only)", "127.0.74.10", { RELOADER_ON_CRASH: " " }],
] as const) {
  test(`an uncaught error in the reloader leaves HAProxy serving${how}: the entrypoint starts it again and it adopts the master`, async (t) => {
    // A preloaded fixture throws an uncaught error on SIGUSR2, standing in for a bug in the reloader.
    const thrower = join(ROOT, "packages", "reloader", "test", "helpers", "throw-on-sigusr2.mjs");
    const image = await servingImage(t, host, { NODE_OPTIONS: `--import=${thrower}`, ...env });
    const [reloader] = image.inside(RELOADER);
    const [master] = haproxyMasters(image.stateDir);
    assert.ok(reloader && master);
    const masterInside = await namespacePid(master);
    const from = image.logs.length;
    process.kill(reloader, "SIGUSR2");
    const crash = await image.waitForEvent("reloader.crash", { from, timeoutMs: 10_000 });
    assert.match(String(crash["haproxy"]), /left running/);
    const died = await image.waitForEvent("entrypoint.reloader-died", { from, timeoutMs: 10_000 });
    assert.equal(died["exitCode"], 3);
    const adopted = await image.waitForEvent("haproxy.adopted", { from, timeoutMs: 20_000 });
    assert.equal(adopted["pid"], masterInside, "the new reloader adopted the master");
    assert.equal(image.count("haproxy.stopped"), 0, "HAProxy was never stopped");
    assert.deepEqual(haproxyMasters(image.stateDir), [master], "the same single master");
    assert.ok(await routes(image.url, "app.dev.tld", "app")(), "routing unchanged");
  });
}

// A backend `slow` that holds every request until release(): a request in flight through a stop for as
// long as the test needs it, not for a fixed time a loaded machine may take to reach the step it is for.
async function heldBackend(host: string): Promise<{ slow: Backend; release: () => void }> {
  let release = () => {};
  const hold = new Promise<void>((resolve) => (release = resolve));
  return { slow: await startBackend({ name: "slow", host, hold }), release };
}

// The budget of the stops with a held request: the request must not be cut by its end before the release.
const HELD_STOP_TIMEOUT = ["--stop-timeout", "60s"];

// Lets the held request go; the index of the image's first line that may come of it. Held, it keeps the
// old worker, so HAProxy cannot stop before: a restarted reloader that did not wait for the worker logged
// no haproxy.stopped from there on (and its answer, let go at once, beat the end of the namespace).
function releaseHeld(image: Image, release: () => void): number {
  const from = image.logs.length;
  release();
  return from;
}

// Asserts the stop ended (haproxy.stopped) only once the held request was let go (`from` releaseHeld).
function assertStoppedAfterRelease(image: Image, from: number): void {
  assert.ok(
    image.logs.slice(from).some((line) => line.event === "haproxy.stopped"),
    "the restarted reloader waited for the old worker: haproxy.stopped only after the held request went",
  );
}

// The answer to come of a request to slow.dev.tld, once `slow` has it: the image first routes
// app.dev.tld to `app` and slow.dev.tld to `slow`, and its reloader is ready.
async function slowRequestInFlight(
  image: Image,
  app: Backend,
  slow: Backend,
): Promise<{ inFlight: Promise<SimpleResponse> }> {
  await image.write({
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "slow", servers: [{ address: slow.address }] },
    ]),
    map: renderTestMap({ "app.dev.tld": "app", "slow.dev.tld": "slow" }),
  });
  await waitFor(routes(image.url, "app.dev.tld", "app"), { timeoutMs: 20_000, message: "app routed" });
  await image.waitForEvent("reloader.ready", { timeoutMs: 10_000 });
  const inFlight = httpRequest({ url: image.url, host: "slow.dev.tld", timeoutMs: 30_000 });
  await waitFor(() => (slow.seen.length > 0 ? true : undefined), { timeoutMs: 10_000, message: "in flight" });
  return { inFlight };
}

test("an uncaught error while the reloader stops HAProxy: started again, it finishes the graceful stop (in-flight request answered, exit 0)", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.74.6" });
  const { slow, release } = await heldBackend("127.0.74.7");
  t.after(() => Promise.all([app.close(), slow.close()]));
  const thrower = join(ROOT, "packages", "reloader", "test", "helpers", "throw-on-sigusr2.mjs");
  const image = await startImage(t, HELD_STOP_TIMEOUT, { NODE_OPTIONS: `--import=${thrower}` });
  // A request in flight holds the old worker during the soft stop.
  const { inFlight } = await slowRequestInFlight(image, app, slow);
  const [tini] = image.inside("tini --");
  const [reloader] = image.inside(RELOADER);
  assert.ok(tini && reloader);
  process.kill(tini, "SIGTERM");
  await image.waitForEvent("reloader.stopping", { timeoutMs: 10_000 });
  process.kill(reloader, "SIGUSR2");
  const crash = await image.waitForEvent("reloader.crash", { timeoutMs: 10_000 });
  assert.match(String(crash["haproxy"]), /left running/);
  const died = await image.waitForEvent("entrypoint.reloader-died", { timeoutMs: 10_000 });
  assert.equal(died["exitCode"], 3);
  // Held until the restarted reloader's stop began: answered at a fixed time (3 s), it could end the stop
  // before the error (SIGUSR2 then found no reloader), or the master with it before the restart.
  await image.waitForEvent("haproxy.stopping", { from: image.logs.indexOf(died), timeoutMs: 20_000 });
  const released = releaseHeld(image, release);
  const answer = await inFlight;
  assert.equal(answer.body, "slow", "the request in flight was answered");
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  assertStoppedAfterRelease(image, released);
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

// A reloader SIGKILLed during a stop, after it soft-stopped HAProxy (a request in flight holds the old
// worker): the entrypoint starts it again telling it the stop came first (RELOADER_STOP_UNDER_WAY), not by
// a signal it passed once the reloader handled one. That reloader adopted the master and, with a config as
// small as this, often reloaded it before the signal came: HAProxy 2.6 takes the reload of a soft-stopped
// master, whose new worker listened again. It also read metadata (agent_ip, SYSLOG_HOST unset) and ran
// `haproxy -c` on the stop's budget. Now it neither reloads nor reads: the master's reload counter and
// worker stay, no request reaches the metadata server, the request in flight is answered, exit 0.
test("a reloader killed during a stop is started again knowing the stop: no reload of the soft-stopped master, no metadata read, exit 0", async (t) => {
  const metadata = await startMetadataServer({ tree: remapIps(loadRecordedTree()) });
  const app = await startBackend({ name: "app", host: "127.0.74.11" });
  const { slow, release } = await heldBackend("127.0.74.12");
  t.after(() => Promise.all([metadata.close(), app.close(), slow.close()]));
  // SYSLOG_HOST unset: the syslog target is the stand-in's agent_ip (127.0.0.250), read at each start.
  const env = { SYSLOG_HOST: "", RANCHER_API_HOST: metadata.hostPort };
  const image = await startImage(t, HELD_STOP_TIMEOUT, env);
  const { inFlight } = await slowRequestInFlight(image, app, slow);
  assert.match(String(image.logs.find((line) => line.event === "syslog.target")?.["host"]), /^127\./);
  const [tini] = image.inside("tini --");
  const [reloader] = image.inside(RELOADER);
  assert.ok(tini && reloader);
  process.kill(tini, "SIGTERM");
  await image.waitForEvent("haproxy.stopping", { timeoutMs: 10_000 });
  const soft = await readReloadCounter(image.stateDir);
  const reads = metadata.requests.count();
  const from = image.logs.length;
  process.kill(reloader, "SIGKILL");
  await image.waitForEvent("entrypoint.reloader-died", { from, timeoutMs: 10_000 });
  await image.waitForEvent("haproxy.stopping", { from, timeoutMs: 20_000 });
  const after = await readReloadCounter(image.stateDir);
  assert.deepEqual(
    [after.masterPid, after.reloads, after.workerPid],
    [soft.masterPid, soft.reloads, soft.workerPid],
    "the soft-stopped master was not reloaded: same reload counter, no new worker",
  );
  // Held until now: answered at a fixed time (4 s), it let the master end with its worker before a late
  // restart adopted it, or before the counter was read.
  const released = releaseHeld(image, release);
  const answer = await inFlight;
  assert.equal(answer.body, "slow", "the request in flight was answered");
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  assertStoppedAfterRelease(image, released);
  assert.equal(metadata.requests.count(), reads, "no metadata request after the restart");
  const restarted = image.logs.slice(from);
  assert.equal(restarted.filter((line) => line.event === "adopt.reloaded").length, 0, "no adoption reload");
  assert.equal(restarted.filter((line) => line.event === "adopt.reload-skipped").length, 1);
  const checks = restarted.filter((line) => /^check\.|^start\.snapshot$/.test(String(line.event)));
  assert.deepEqual(checks, [], "no haproxy -c, no snapshot");
  const shutdowns = restarted.filter((line) => line.event === "reloader.shutdown");
  assert.equal(shutdowns.length, 1, "one shutdown line");
  assert.match(String(shutdowns[0]?.["reason"]), /SIGTERM before this start/);
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

test("bad options end the entrypoint with exit code 2 at once, without a restart", async (t) => {
  const image = await startImage(t, ["--maxconn", "0"]);
  assert.deepEqual(await ended(image, "tini"), { code: 2, signal: null });
  const refusals = image.logs.filter((line) => line.raw?.startsWith("reloader: ") === true);
  assert.equal(refusals.length, 1, "one refusal line: the reloader ran once");
  assert.match(refusals[0]?.raw ?? "", /--maxconn/);
  assert.equal(image.count("entrypoint.reloader-died"), 0);
  assert.deepEqual(haproxyMasters(image.stateDir), []);
});

test("a stop during the entrypoint's restart pause starts the reloader anyway: it adopts HAProxy and stops it gracefully, exit 0", async (t) => {
  const image = await servingImage(t, "127.0.74.3");
  const [tini] = image.inside("tini --");
  const [reloader] = image.inside(RELOADER);
  const [master] = haproxyMasters(image.stateDir);
  assert.ok(tini && reloader && master);
  const masterInside = await namespacePid(master);
  process.kill(reloader, "SIGKILL");
  // The entrypoint logs the death, then pauses 1 s before the restart: the stop lands in that pause.
  await image.waitForEvent("entrypoint.reloader-died", { timeoutMs: 10_000 });
  process.kill(tini, "SIGTERM");
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  const adopted = image.logs.find((line) => line.event === "haproxy.adopted");
  assert.equal(adopted?.["pid"], masterInside, "the restarted reloader adopted the master");
  const stopped = image.logs.filter((line) => line.event === "haproxy.stopped");
  assert.deepEqual(
    stopped.map((line) => line["pid"]),
    [masterInside],
    "the master was stopped gracefully",
  );
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

test("a stop that arrives while the reloader is still loading waits until it can take it: exit 0, no HAProxy left", async (t) => {
  const image = await startImage(t);
  await waitFor(() => image.inside(RELOADER).length > 0, {
    timeoutMs: 10_000,
    message: "the reloader to run",
  });
  const [tini] = image.inside("tini --");
  assert.ok(tini);
  process.kill(tini, "SIGTERM");
  // More signals while it stops (an impatient operator): the reloader must get one, a second one would
  // make it exit at once, HAProxy killed.
  for (let i = 0; i < 8; i++) {
    await delay(25);
    // (tini may end between the look and the signal: ESRCH, the stop is over, is no failure)
    if (image.inside("tini --").length > 0)
      try {
        process.kill(tini, i % 2 === 0 ? "SIGINT" : "SIGTERM");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
  }
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  assert.equal(image.count("entrypoint.reloader-died"), 0);
  assert.ok(image.count("reloader.shutdown") === 1, "the reloader itself stopped");
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

test("Ctrl-C on a terminal (SIGINT to the entrypoint's process group) is one graceful stop: exit 0, HAProxy stopped", async (t) => {
  const image = await servingImage(t, "127.0.74.8");
  // The entrypoint's shell (not tini, nor unshare, whose command lines name the script too).
  const [entrypoint] = image
    .inside("docker-entrypoint.sh haproxy")
    .filter((pid) => readProcess(pid)?.command.startsWith("sh ") === true);
  const [reloader] = image.inside(RELOADER);
  assert.ok(entrypoint && reloader);
  const group = readProcess(entrypoint)?.group;
  assert.ok(group !== undefined);
  assert.notEqual(group, readProcess(process.pid)?.group, "never this test's own group");
  assert.notEqual(readProcess(reloader)?.group, group, "the reloader runs in a group of its own");
  process.kill(-group, "SIGINT"); // what the terminal sends on Ctrl-C: to its foreground group
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  assert.equal(image.count("haproxy.stopped"), 1, "HAProxy stopped gracefully");
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

test("SIGUSR1 to the container is ignored (logged), SIGHUP stops it gracefully: exit 0", async (t) => {
  const image = await servingImage(t, "127.0.74.9");
  const [tini] = image.inside("tini --");
  assert.ok(tini);
  process.kill(tini, "SIGUSR1");
  const ignored = await image.waitForEvent("entrypoint.signal-ignored", { timeoutMs: 5000 });
  assert.equal(ignored["signal"], "USR1");
  assert.ok(await routes(image.url, "app.dev.tld", "app")(), "still serving");
  process.kill(tini, "SIGHUP");
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  assert.equal(image.count("haproxy.stopped"), 1, "HAProxy stopped gracefully");
  assert.deepEqual(haproxyMasters(image.stateDir), [], "no HAProxy left");
});

// The `generate-maps` container: the entrypoint runs the generator in its place (exec), so tini passes it
// every signal. SIGUSR1 opened node's inspector on 127.0.0.1:9229 inside the container, SIGUSR2 and
// SIGQUIT ended it at once; each is now ignored and logged, and SIGTERM still stops it gracefully.
test("generate-maps under tini: SIGUSR1, SIGUSR2 and SIGQUIT to the container are ignored (logged, no inspector); SIGTERM stops it: exit 0", async (t) => {
  const server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: 200 });
  t.after(() => server.close());
  const dir = await mkdtemp(join(tmpdir(), "rh-image-gm-"));
  const argv = ["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", "tini", "--"];
  const command = ["sh", join(ROOT, "docker-entrypoint.sh"), "generate-maps"];
  const outputs = ["--domain-map", join(dir, "domain.map"), "--backends", join(dir, "backends.cfg")];
  const child = spawn("unshare", [...argv, ...command, "--api-host", server.hostPort, ...outputs], {
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      RANCHER_HAPROXY_APP: join(ROOT, "packages"),
      STACK_DOMAIN: "dev.tld",
      SYSLOG_HOST: "stdout",
      STATUS_PORT: "off",
      LOG_FORMAT: "json",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const image = wrapLoggedChild(child, { label: "image", echo: process.env["RH_TEST_ECHO"] === "1" });
  t.after(async () => {
    await image.stop({ signal: "SIGKILL" });
    await rm(dir, { recursive: true, force: true });
  });
  await image.waitForEvent("cycle", { timeoutMs: 20_000 });
  const [tini] = descendants(image.pid)
    .filter((proc) => proc.command.includes("tini --"))
    .map((proc) => proc.pid);
  assert.ok(tini);
  for (const signal of ["SIGUSR1", "SIGUSR2", "SIGQUIT"] as const) {
    process.kill(tini, signal);
    const ignored = await image.waitForEvent("signal-ignored", {
      match: (line) => line["signal"] === signal,
      timeoutMs: 10_000,
    });
    assert.equal(ignored["name"], "generate-maps");
  }
  process.kill(tini, "SIGTERM");
  assert.deepEqual(await ended(image, "tini"), { code: 0, signal: null }, "tini exits 0");
  assert.equal(image.count("stopped"), 1, "stopped gracefully");
  assert.ok(!image.logs.some((line) => JSON.stringify(line).includes("Debugger listening")));
});
