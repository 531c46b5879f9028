// A long cycle shares the event loop (cycle/cycle-pacer.ts): between the model's steps (one per container
// entry, one per backend, then one per stage) it pauses, so a timer, a /healthz request or a stop is seen
// during the cycle, not only at its end; a stop seen at a pause (or before the writes) ends the cycle
// without writing, and the loop without reporting it; pausing changes no byte of the output. The pauses
// are forced by a monotonic clock that moves a second at every read (no timing is asserted: only the
// order of events).
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { test, type TestContext } from "node:test";
import { createMetadataClient, type MetadataClient } from "@rancher-haproxy/core";
import { buildTree, startMetadataServer } from "@rancher-haproxy/test-support";
import {
  buildRoutingTable,
  createCycleState,
  routingTableSteps,
  runCycle,
  runLoop,
  type Clock,
  type Generator,
} from "../src/index.js";
import { captureLogger, container, generatorOptions, MODEL_OPTIONS, tempDir } from "./helpers.js";

// Two routed stacks, then entries a hostile answer is made of (lists of `{}`: each one skipped as
// entry-invalid), so the model has many steps.
function hostileTree() {
  const tree = buildTree({
    stacks: [
      { name: "shop", services: [{ name: "web", containers: [{ port: 8080 }, { port: 8080 }] }] },
      { name: "blog", services: [{ name: "web", containers: [{ port: 80 }] }] },
    ],
  });
  const dense = Array.from({ length: 40 }, () => Array.from({ length: 500 }, () => ({})));
  return { ...tree, containers: [...(tree.containers as unknown[]), ...dense] };
}

// A monotonic clock that moves `stepMs` at every read: every step of the model finds a slice passed.
// `reads()`: how often it was read (the pacer reads it once per step of the model, and after a pause).
function movingClock(stepMs: number): Clock & { reads: () => number } {
  let now = 0;
  let reads = 0;
  return { monotonic: () => ((reads += 1), (now += stepMs)), wall: () => Date.now(), reads: () => reads };
}

// A cycle ended by a stop: nothing written in `dir`, and neither a `cycle` nor a `cycle-failed` line.
async function assertEndedUnwritten(dir: string, lines: Record<string, unknown>[]) {
  assert.deepEqual(await readdir(dir), []);
  const events = lines.map((line) => line["event"]);
  assert.ok(!events.includes("cycle"), events.join(", "));
  assert.ok(!events.includes("cycle-failed"), events.join(", "));
}

// The stand-in serving the hostile tree, and a client that calls `onRead` in the next turn of the event
// loop (setImmediate) after an answer came in and no other request is on its way: then the cycle's reads
// are all done, and only its own work is left.
async function setup(t: TestContext, onRead: () => void) {
  const server = await startMetadataServer({ tree: hostileTree() });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const real = createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 5000 });
  let pending = 0;
  const client: MetadataClient = {
    baseUrl: real.baseUrl,
    getJson: (path, signal, reading) => {
      pending += 1;
      return real.getJson(path, signal, reading).finally(() => {
        pending -= 1;
        setImmediate(() => {
          if (pending === 0) onRead();
        });
      });
    },
    getText: (path, signal) => real.getText(path, signal),
    waitForVersion: (last, maxWait, signal) => real.waitForVersion(last, maxWait, signal),
  };
  const { logger, lines } = captureLogger();
  const options = generatorOptions(server.hostPort, dir);
  return { dir, lines, generator: (clock: Clock): Generator => ({ options, client, logger, clock }) };
}

test("a timer due once the reads are in fires before the cycle ends, and the files are the same", async (t) => {
  const order: string[] = [];
  const { generator } = await setup(t, () => order.push("timer"));
  const stop = new AbortController();
  const paused = await runCycle(
    generator(movingClock(1000)),
    createCycleState(generator(movingClock(0)).logger),
    {
      write: false,
      signal: stop.signal,
    },
  );
  order.push("cycle ended");
  // The timer of the last answer fired during the cycle's own work, not after it.
  assert.deepEqual(order, ["timer", "cycle ended"]);
  assert.ok(paused.ok && "files" in paused, JSON.stringify(paused));
  assert.equal(paused.table.counts.routed, 3);
  assert.equal(paused.table.counts.skipped, 40);
  // Without a signal (a one-shot run) the cycle does not pause; the bytes are the same.
  const once = await runCycle(
    generator(movingClock(1000)),
    createCycleState(generator(movingClock(0)).logger),
    {
      write: false,
    },
  );
  assert.ok(once.ok && "files" in once);
  assert.deepEqual(paused.files, once.files);
  assert.deepEqual(paused.table, once.table);
});

test("a stop seen at a pause ends the cycle: nothing written, no cycle line, no failure line", async (t) => {
  const stop = new AbortController();
  const { dir, lines, generator } = await setup(t, () => stop.abort());
  const clock = movingClock(1000);
  const result = await runCycle(generator(clock), createCycleState(generator(movingClock(0)).logger), {
    write: true,
    signal: stop.signal,
  });
  // Stopped at a pause of the model (a stop during the reads is a failed read, stage "read").
  assert.ok(!result.ok && result.stage === "cycle", `${result.ok ? "ok" : result.stage} cycle`);
  assert.equal(result.failure.kind, "aborted");
  // At the model's first pause, not once the model was done and the writes were next: the model took a
  // step, not one per entry of the answer (43 of them). Without this the test passed with a pacer that
  // never paused, or paused without looking at the signal (the check before the writes ended the cycle
  // all the same).
  assert.ok(clock.reads() < 10, `${clock.reads()} reads of the clock`);
  await assertEndedUnwritten(dir, lines());
});

test("a loop stopped at a pause of its cycle ends: the cycle is not reported, nothing is written", async (t) => {
  const stop = new AbortController();
  const { dir, lines, generator } = await setup(t, () => stop.abort());
  const reported: string[] = [];
  // The hook feeding /healthz, /metrics, /routes and /explain (status/start-generator-status.ts).
  await runLoop(generator(movingClock(1000)), stop.signal, (result) =>
    reported.push(result.ok ? "ok" : result.stage),
  );
  assert.deepEqual(reported, []);
  await assertEndedUnwritten(dir, lines());
});

test("a stop seen after the model, before the writes, ends the cycle too: nothing written", async (t) => {
  const stop = new AbortController();
  const { dir, lines, generator } = await setup(t, () => stop.abort());
  // A clock that stands still: the model never pauses, and the stop is seen while the cycle first waits
  // after it (the removal of stale temp files next to the outputs).
  const result = await runCycle(
    generator(movingClock(0)),
    createCycleState(generator(movingClock(0)).logger),
    {
      write: true,
      signal: stop.signal,
    },
  );
  assert.ok(!result.ok && result.stage === "cycle", `${result.ok ? "ok" : result.stage} cycle`);
  assert.equal(result.failure.kind, "aborted");
  await assertEndedUnwritten(dir, lines());
});

test("an error thrown while the generator stops, after the writes, is still a cycle-failed line", async (t) => {
  const stop = new AbortController();
  const { dir, lines, generator } = await setup(t, () => undefined);
  const running = generator(movingClock(0));
  // The routing line of the cycle throws (standing for any unexpected error after the writes), with
  // the stop arriving just then.
  const info = running.logger.info.bind(running.logger);
  running.logger.info = ((fields: unknown, ...rest: unknown[]) => {
    if ((fields as { event?: unknown } | null)?.event === "cycle") {
      stop.abort();
      throw new Error("the routing line failed");
    }
    return (info as (...args: unknown[]) => void)(fields, ...rest);
  }) as typeof running.logger.info;
  const result = await runCycle(running, createCycleState(running.logger), {
    write: true,
    signal: stop.signal,
  });
  assert.ok(!result.ok && result.stage === "cycle", `${result.ok ? "ok" : result.stage} cycle`);
  assert.equal(result.failure.kind, "unexpected");
  // The files were written before it threw.
  assert.equal((await readdir(dir)).length, 2);
  const failed = lines().filter((line) => line["event"] === "cycle-failed");
  assert.deepEqual(
    failed.map((line) => line["error"]),
    ["the routing line failed"],
  );
});

test("the model pauses once per entry and once per backend, and its steps give the same table", () => {
  // 30 stacks of 2 containers: 60 entries, 30 backends.
  const containers = Array.from({ length: 60 }, (_, index) => container({ stack_name: `s${index % 30}` }));
  const input = { containers, aliases: {} };
  const steps = routingTableSteps(input, MODEL_OPTIONS);
  let pauses = 0;
  let step = steps.next();
  for (; step.done !== true; step = steps.next()) pauses += 1;
  assert.equal(step.value.counts.backends, 30);
  assert.ok(pauses >= 60 + 30, `${pauses} pauses`);
  assert.deepEqual(step.value, buildRoutingTable(input, MODEL_OPTIONS));
});
