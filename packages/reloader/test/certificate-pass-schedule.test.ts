// The certificate manager's passes (pass-schedule.ts, moved out of certificate-manager.ts by 302aaa6): one
// pass at a time, the next a delay after the last one ended, and none after close() stopped the schedule,
// even when a pass was in flight then (its end used to be where the next was scheduled). The clock is
// node's mock timers, so no test waits for a real delay.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PassSchedule } from "../src/certs/pass-schedule.ts";

// A schedule whose passes the test ends one by one; `delay` answers how long after a pass the next is due.
function controlledPasses(delay: () => number | null): {
  schedule: PassSchedule;
  started: () => number;
  finish: () => Promise<void>;
} {
  const schedule = new PassSchedule();
  const ends: (() => void)[] = [];
  schedule.start(() => new Promise<void>((resolve) => ends.push(resolve)), delay);
  return {
    schedule,
    started: () => ends.length,
    // Ends the latest pass and waits until the schedule has taken its end.
    finish: async () => {
      ends.at(-1)?.();
      await schedule.running;
    },
  };
}

test("certificate passes never overlap: the next is due its delay after the last one ended", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { started, finish } = controlledPasses(() => 1000);
  assert.equal(started(), 0, "the first pass waits for its delay");
  t.mock.timers.tick(1000);
  assert.equal(started(), 1);
  t.mock.timers.tick(5000);
  assert.equal(started(), 1, "no second pass while the first runs");
  await finish();
  t.mock.timers.tick(999);
  assert.equal(started(), 1, "the delay counts from the pass's end");
  t.mock.timers.tick(1);
  assert.equal(started(), 2);
});

test("no certificate pass runs after the schedule stopped, even when one was in flight then", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { schedule, started, finish } = controlledPasses(() => 1000);
  t.mock.timers.tick(1000);
  assert.equal(started(), 1);
  schedule.stop();
  await finish();
  t.mock.timers.tick(60_000);
  assert.equal(started(), 1, "the pass in flight at the stop was the last");
});

test("a stop before the next certificate pass is due clears its timer: that pass never runs", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const { schedule, started } = controlledPasses(() => 1000);
  t.mock.timers.tick(500);
  schedule.stop();
  t.mock.timers.tick(60_000);
  assert.equal(started(), 0);
});

test("a certificate pass after which no delay is due ends the schedule (CERT_POLL_INTERVAL=0)", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  // Due at the start; none after the first pass (it left no certificate waiting for HAProxy's check).
  let asked = 0;
  const { started, finish } = controlledPasses(() => (asked++ === 0 ? 1000 : null));
  t.mock.timers.tick(1000);
  assert.equal(started(), 1);
  await finish();
  t.mock.timers.tick(60_000);
  assert.equal(started(), 1, "no pass is due after a null delay");
});
