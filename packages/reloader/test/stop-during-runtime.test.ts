// A stop waits for the applier's pass in flight at most half of what is left of --stop-timeout (at most
// --reload-timeout), then soft-stops the master (SIGUSR1). A soft-stopped worker still takes runtime-API
// commands, and until 2026-12-06 a runtime pass still running then sent them: the rest of its steps and
// its read-back; the stopping worker answered "Proxy is disabled." to a `set server`, so the pass logged
// runtime.fallback, counted a runtime failure, ran haproxy -c and tried the fallback reload (refused:
// reload.skipped-stopping). Here a relay in front of the master CLI holds back the answer to the pass's
// first batch line (a new container's address, done before the stop) until `haproxy.stopping`; a stream
// keeps the soft-stopped worker alive meanwhile. With --reload-timeout 1s the stop waits 1 s for the
// pass: half of the 2 s the held line may take. The applyRuntime tests below flip the stop themselves,
// between a line's write and its answer: no window.
import assert from "node:assert/strict";
import { readlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { currentWorker } from "@rancher-haproxy/core";
import {
  haproxyMasters,
  openStream,
  renderTestBackends,
  renderTestMap,
  startBackend,
  waitFor,
  type Backend,
} from "@rancher-haproxy/test-support";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { parseServersState } from "../src/haproxy/parse-servers-state.ts";
import { applyRuntime, type RuntimeOutcome } from "../src/reload/apply-runtime.ts";
import type { ServerOp } from "../src/model/plan-update.ts";
import type { HaproxySupervisor } from "../src/haproxy/haproxy-supervisor.ts";
import { sendWorkerCommands } from "../src/haproxy/worker-commands.ts";
import { createFixture } from "./helpers/fixture.ts";
import { relayMasterCli } from "./helpers/master-cli-relay.ts";

// The app backend with these containers (server names app-<i>).
const appFile = (containers: readonly Backend[], indexes: readonly number[]) =>
  renderTestBackends([
    {
      name: "app",
      servers: indexes.map((index) => ({ name: `app-${index}`, address: containers[index]?.address ?? "" })),
    },
  ]);

test("a runtime pass in flight when the stop soft-stops the master sends nothing more: runtime.skipped-stopping, `current` on what the workers run, exit 0", async (t) => {
  const containers = await Promise.all(
    [0, 1].map((i) => startBackend({ name: `app-${i}`, host: `127.0.0.${241 + i}` })),
  );
  t.after(() => Promise.all(containers.map((backend) => backend.close())));
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: appFile(containers, [0]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    deferStart: true,
  });
  const reloader = await fixture.start(["--stop-timeout", "20s", "--reload-timeout", "1s"]);
  // What HAProxy runs is known from the first pass on: the next change is runtime steps.
  await reloader.waitForEvent("inputs.live");
  const running = await readlink(join(fixture.stateDir, "current"));
  const masterSocket = join(fixture.stateDir, "master.sock");
  const before = await readProc(masterSocket);
  const workerPid = before ? currentWorker(before)?.pid : undefined;
  assert.ok(before && workerPid !== undefined, "show proc names the worker");
  const stream = await openStream({ url: fixture.url, host: "app.dev.tld" });
  t.after(() => stream.close());
  assert.equal(stream.backend, "app-0");

  // A second container: its slot's address (the first batch line, its answer held), then the slot set
  // ready.
  const relay = await relayMasterCli(fixture.stateDir, (fn) => t.after(fn));
  const first = relay.holdNext((command) => / addr /.test(command));
  await fixture.write({ backends: appFile(containers, [0, 1]) });
  // The signal goes as soon as the relay has the line, not once HAProxy answered it: the line times out
  // 2 s after it was written and the stop begins 1 s after the signal, so a master and worker slow to
  // answer on a loaded machine took that margin (the timeout came first: runtime.fallback, a reload).
  await settled(first.received, "the relay to have the pass's address line");
  const heldAt = relay.commands.length;
  const exited = reloader.stop({ signal: "SIGTERM", timeoutMs: 40_000 });
  const stopping = await reloader.waitForEvent("haproxy.stopping", { timeoutMs: 10_000 });
  const from = reloader.logs.indexOf(stopping);

  // The address's answer reaches the pass now, after the soft stop: it goes on to its next batch.
  first.release();
  const ended = (line: { event?: unknown }) =>
    ["runtime.applied", "runtime.fallback", "runtime.skipped-stopping"].includes(String(line.event));
  const outcome = await waitFor(() => reloader.logs.slice(from).find(ended), {
    timeoutMs: 10_000,
    message: "the held pass's end",
  });
  assert.equal(outcome.event, "runtime.skipped-stopping", "nothing more sent to the stopping worker");
  // Refused before its next line, or, on a machine so slow that the held answer came after the 2 s a line
  // may take, the held line's timeout seen once the stop began: either way nothing follows it (below). The
  // check before each line has its own tests without that window (the applyRuntime ones at the end).
  assert.match(String(outcome["reason"]), /not sent: HAProxy is being stopped|within \d+ ms/);
  assert.equal(typeof outcome["generation"], "number", "the snapshot it would have applied");
  const toWorker = relay.commands.slice(heldAt).filter((command) => command.startsWith("@"));
  assert.deepEqual(toWorker, [], "no set server, map command or read-back after the held line");
  // The new slot was never set ready, and `current` names what the worker ran before the pass.
  const read = await sendWorkerCommands(masterSocket, ["show servers state app"], { expectedPid: workerPid });
  assert.ok(read.ok, "the stopping worker answers the test");
  const slots = parseServersState(read.answers[0]?.answer ?? "", "app");
  assert.equal(slots.filter((slot) => slot.ready).length, 1, "only app-0's slot serves");
  assert.equal(await readlink(join(fixture.stateDir, "current")), running, "`current` names what runs");
  assert.equal((await readProc(masterSocket))?.reloads, before.reloads, "the master counted no reload");
  assert.equal(stream.cut, null, "the in-flight stream goes on");

  // Its last stream closed, the soft-stopped master ends, and the stop with it.
  stream.close();
  assert.deepEqual(await exited, { code: 0, signal: null });
  assert.equal(reloader.count("runtime.skipped-stopping"), 1, "logged once");
  assert.equal(reloader.count("reload.skipped-stopping"), 0, "no fallback reload tried");
  assert.equal(reloader.count("runtime.fallback"), 0);
  assert.equal(reloader.count("haproxy.stop-timeout"), 0);
  assert.deepEqual(haproxyMasters(fixture.stateDir), [], "no HAProxy left behind");
});

// The check on the supervisor's lock: a stop that began before the pass took the lock sends no batch and
// leaves `current` alone (`point` is never called).
test("applyRuntime once a stop began: nothing reaches the master, `current` not moved, outcome stopping", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: "127.0.0.243:8080" }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await fixture.reloader.waitForEvent("inputs.live");
  const relay = await relayMasterCli(fixture.stateDir, (fn) => t.after(fn));
  const supervisor = {
    exclusive: <T>(task: () => Promise<T>) => task(),
    isSettled: () => true,
    isStopping: () => true,
  } as unknown as HaproxySupervisor;
  let pointed = 0;
  const outcome = await applyRuntime(
    {
      kind: "runtime",
      slots: new Map(),
      serverOps: [{ backend: "app", slot: 0, action: "maint" }],
      mapOps: [{ action: "del", fqdn: "app.dev.tld" }],
    },
    { hosts: [], backends: [] },
    {
      supervisor,
      masterSocket: join(fixture.stateDir, "master.sock"),
      workerPid: 1,
      timeoutMs: 2000,
      current: { point: async () => void (pointed += 1), restore: async () => void (pointed += 1) },
    },
  );
  assert.deepEqual(outcome, {
    ok: false,
    readback: false,
    stopping: true,
    reason: "no runtime-API command sent",
  });
  assert.deepEqual(relay.commands, [], "nothing reached the master CLI");
  assert.equal(pointed, 0, "`current` neither moved nor pointed back");
});

// Waits for a relay's promise within 20 s: a line never sent fails with `what`, instead of hanging the file
// until the runner's timeout.
async function settled(promise: Promise<void>, what: string): Promise<void> {
  let done = false;
  void promise.then(() => (done = true));
  await waitFor(() => done, { timeoutMs: 20_000, message: what });
}

// applyRuntime against the running master of a started reloader through the relay, with a supervisor
// whose stop begins while the answer to the pass's first line is held (the line written before it).
async function heldPass(
  t: { after(fn: () => unknown): void },
  plan: { serverOps: ServerOp[]; holds: RegExp },
): Promise<{ outcome: RuntimeOutcome; after: string[]; pointed: string[] }> {
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: "127.0.0.243:8080" }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  await fixture.reloader.waitForEvent("inputs.live");
  const masterSocket = join(fixture.stateDir, "master.sock");
  const proc = await readProc(masterSocket);
  const workerPid = proc ? currentWorker(proc)?.pid : undefined;
  assert.ok(workerPid !== undefined, "show proc names the worker");
  const relay = await relayMasterCli(fixture.stateDir, (fn) => t.after(fn));
  let stopping = false;
  const supervisor = {
    exclusive: <T>(task: () => Promise<T>) => task(),
    isSettled: () => true,
    isStopping: () => stopping,
  } as unknown as HaproxySupervisor;
  const pointed: string[] = [];
  const first = relay.holdNext((command) => plan.holds.test(command));
  const applied = applyRuntime(
    { kind: "runtime", slots: new Map(), serverOps: plan.serverOps, mapOps: [] },
    { hosts: [], backends: [] },
    {
      supervisor,
      masterSocket,
      workerPid,
      // The held line's bound runs until HAProxy answered it (the relay waits for that), which a loaded
      // machine's master and worker can take seconds to do: with 2 s the line timed out before the stop.
      timeoutMs: 10_000,
      current: {
        point: async () => void pointed.push("point"),
        restore: async () => void pointed.push("restore"),
      },
    },
  );
  await settled(first.held, "HAProxy's answer to the held line");
  const heldAt = relay.commands.length;
  stopping = true; // the stop's SIGUSR1: after the line was written, before its answer came back
  first.release();
  const outcome = await applied;
  return { outcome, after: relay.commands.slice(heldAt).filter((c) => c.startsWith("@")), pointed };
}

// The check before each batch line, without the stop's 1 s wait: the first line (an address) was
// written before the stop, the second (the slot ready) is not.
test("applyRuntime: a stop that began while a line's answer was on its way sends no further line", async (t) => {
  const { outcome, after, pointed } = await heldPass(t, {
    serverOps: [
      { backend: "app", slot: 0, action: "addr", address: "127.0.0.245", port: 8080 },
      { backend: "app", slot: 0, action: "ready" },
    ],
    holds: / addr /,
  });
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.stopping === true, JSON.stringify(outcome));
  assert.match(outcome.reason, /not sent: HAProxy is being stopped/);
  assert.deepEqual(after, [], "no set server state ready, no read-back");
  assert.deepEqual(pointed, ["point", "restore"], "`current` pointed back at what the workers ran");
});

// A line written right before the SIGUSR1 whose answer is a failure (a soft-stopped worker answers
// `Proxy is disabled.` to a `set server`; here an unknown slot): the stop's, not a runtime.fallback (until
// a review on 2026-12-06 it ran haproxy -c during the stop and tried the fallback reload).
test("applyRuntime: a line that fails once the stop began is the stop's (outcome stopping), not a fallback", async (t) => {
  const { outcome, after, pointed } = await heldPass(t, {
    serverOps: [{ backend: "app", slot: 998, action: "maint" }],
    holds: /app\/s999 state maint/,
  });
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.stopping === true, JSON.stringify(outcome));
  assert.match(outcome.reason, /unexpected answer to "set server app\/s999 state maint"/);
  assert.deepEqual(after, []);
  assert.deepEqual(pointed, ["point", "restore"], "`current` pointed back at what the workers ran");
});
