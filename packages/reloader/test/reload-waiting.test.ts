// A switch the supervisor puts off (the last reload timed out and the master has not answered since)
// sends no reload: it is logged as reload.waiting, retried, and counted neither as a reload by reason nor
// as a failed one (found by a review: the first version counted both).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "@rancher-haproxy/core";
import { planChange } from "../src/reload/plan-change.ts";
import { reloadTo } from "../src/reload/reload-to.ts";
import { RetrySchedule, WAITING_RETRY_MAX_MS } from "../src/reload/retry-schedule.ts";
import { ReloaderStatus } from "../src/state/reloader-status.ts";
import { captureLog } from "./helpers/capture-log.ts";

test("a switch that waits for the master is reload.waiting: retried, no reload counted", async () => {
  const { logger, events: logged } = captureLog();
  const status = new ReloaderStatus();
  const reason = "the master has not answered since a reload timed out";
  const services = {
    logger,
    status,
    supervisor: { switchTo: async () => ({ kind: "waiting", reason }) },
    store: { prune: async () => undefined },
  } as unknown as Parameters<typeof reloadTo>[1];
  const target = {
    generation: 7,
    hash: "H",
    check: { ok: true, durationMs: 1 },
    state: {},
    reason: "state-unknown",
    started: performance.now(),
    since: null,
  } as unknown as Parameters<typeof reloadTo>[0];
  const steps = reloadTo(target, services);
  const changes = [];
  let next = await steps.next();
  while (next.done !== true) {
    changes.push(next.value);
    next = await steps.next();
  }
  assert.deepEqual(next.value, { retry: `gen-7 waits: ${reason}`, waiting: true });
  assert.ok(!changes.some((change) => change.switched != null), "current did not move");
  const events = logged();
  assert.deepEqual(
    events.map((event) => event["event"]),
    ["reload.waiting"],
  );
  const snapshot = status.snapshot();
  assert.deepEqual(snapshot.reloadsByReason, {}, "no reload by reason");
  assert.deepEqual(
    Object.values(snapshot.reloads).reduce((a, b) => a + b, 0),
    0,
    "no reload counted",
  );
});

// planChange's options around `supervisor`, with a store that counts what it is asked to stage (and
// refuses it), and a change of one empty table to plan.
function planning(supervisor: object, logger = createLogger({ name: "t", level: "silent", format: "json" })) {
  let staged = 0;
  const options = {
    logger,
    status: new ReloaderStatus(),
    store: {
      lastAssignment: () => null,
      stageChecked: async () => {
        staged += 1;
        return { ok: false, generation: null, reason: "not reached" };
      },
      currentFailsToo: async () => null,
      reportClashes: () => undefined,
    },
    slotsPerBlock: 10,
    runtimeUpdates: true,
    supervisor,
  } as unknown as Parameters<typeof planChange>[2];
  const accepted = {
    files: { base: "global\n", backends: "", map: "", hash: "H" },
    table: { backends: [], hosts: [] },
    started: performance.now(),
    since: null,
  } as unknown as Parameters<typeof planChange>[0];
  return { plan: () => planChange(accepted, null, options), staged: () => staged };
}

test("a change planned while the master is silent after a timed-out reload waits before it is staged", async () => {
  const { plan, staged } = planning({
    isSettled: () => false,
    settled: async () => false,
    waitingReason: () => "silent",
  });
  assert.equal((await plan()).kind, "waiting");
  assert.equal(staged(), 0, "no snapshot staged and checked while it could only wait");
});

// The master answers between the pass's first ask and planChange's (a pass after a reload that timed out
// asks before it plans): its verdict may make what the worker runs known, so the plan made while it was
// silent (a reload, for state-unknown) is not staged; the pass plans again. Seen once in a whole test run
// (reload-timeout.test.ts): the change that should have been runtime steps was a second reload.
test("a change planned while the master was silent is planned again when it answers meanwhile: nothing staged", async () => {
  let answered = false;
  const { logger, events } = captureLog();
  const supervisor = {
    isSettled: () => answered,
    settled: async () => (answered = true),
    waitingReason: () => (answered ? null : "silent"),
    oldWorkersSeen: () => null,
  };
  const { plan, staged } = planning(supervisor, logger);
  assert.deepEqual(await plan(), { kind: "replan" });
  assert.equal(staged(), 0, "the reload planned without the master's verdict was not staged");
  assert.deepEqual(
    events().map((event) => event["event"]),
    [],
    "no reload.planned",
  );
  // Planned again, settled: the reload (nothing known here) is staged.
  assert.equal((await plan()).kind, "refused");
  assert.equal(staged(), 1);
});

// Nothing starts a pass when the master answers again, so the retries of a waiting change must come soon:
// with the change backoff (up to 30 s) a change waited up to 30 s more after the master was back.
test("a change waiting for the master is retried at most WAITING_RETRY_MAX_MS apart; other retries back off to 30 s", () => {
  const { logger, events } = captureLog();
  const delays = (waiting: boolean): number[] => {
    const schedule = new RetrySchedule(200, () => undefined, { logger, status: new ReloaderStatus() });
    for (let i = 0; i < 8; i++) schedule.retry("r", waiting);
    schedule.close();
    return events()
      .splice(-8)
      .map((event) => Number(event["delayMs"]));
  };
  const waiting = delays(true);
  assert.deepEqual(waiting.slice(0, 4), [500, 1000, 2000, 4000]);
  assert.ok(
    waiting.slice(4).every((delay) => delay === WAITING_RETRY_MAX_MS),
    waiting.join(" "),
  );
  assert.equal(Math.max(...delays(false)), 30_000);
});
