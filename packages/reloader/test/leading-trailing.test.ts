// The input watcher's coalescing (leading-trailing.ts) on node's mock timers: the trailing report comes a
// quiet period after the burst's last event, not after its first. The real watcher's burst test
// (watch-inputs.test.ts) cannot tell the two apart: its renames all land within one quiet period.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LEADING_SETTLE_MS, leadingTrailing } from "../src/watch/leading-trailing.ts";

test("each event of a burst restarts the quiet period: one trailing report, a quiet period after the last event", (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const reports: number[] = [];
  const bursts = leadingTrailing(10_000, (at) => reports.push(at));
  bursts.event();
  t.mock.timers.tick(LEADING_SETTLE_MS);
  assert.equal(reports.length, 1, "the leading report");
  // Two more events 6 s apart: the burst lasts longer than the quiet period, no pause in it as long.
  for (let i = 0; i < 2; i++) {
    t.mock.timers.tick(6000);
    bursts.event();
  }
  t.mock.timers.tick(9999);
  assert.equal(reports.length, 1, "no trailing report before a quiet period has passed since the last event");
  t.mock.timers.tick(1);
  assert.equal(reports.length, 2, "the trailing report");
  t.mock.timers.tick(60_000);
  assert.equal(reports.length, 2, "nothing after it");
});
