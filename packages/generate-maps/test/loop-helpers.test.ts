// The loop's small parts: capped backoff, abortable sleep, and child signals that never pile up on the
// loop's long-lived stop signal.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import { BACKOFF_CAP_MS, backoffMs } from "../src/index.js";
import { scopedSignal } from "../src/loop/scoped-signal.js";
import { sleep } from "../src/loop/sleep.js";
import { waitFor } from "./helpers.js";

test("backoff doubles from 0.5 s and is capped by the interval and by 10 s", () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 100].map((n) => backoffMs(n, 30_000)),
    [500, 1000, 2000, 4000, 8000, BACKOFF_CAP_MS, BACKOFF_CAP_MS],
  );
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoffMs(n, 1500)),
    [500, 1000, 1500, 1500],
  );
  assert.equal(backoffMs(0, 30_000), 500);
});

test("sleep resolves true after the time, false at once when aborted", async () => {
  const stop = new AbortController();
  assert.equal(await sleep(10, stop.signal), true);
  assert.equal(await sleep(-5, stop.signal), true);
  const pending = sleep(60_000, stop.signal);
  stop.abort();
  assert.equal(await pending, false);
  assert.equal(await sleep(10, stop.signal), false);
});

test("a scoped signal follows its parent, has its own deadline, and leaves nothing on the parent", async () => {
  const parent = new AbortController();
  for (let i = 0; i < 1000; i++) scopedSignal(parent.signal, 60_000).release();
  assert.equal(getEventListeners(parent.signal, "abort").length, 0);

  const timed = scopedSignal(parent.signal, 20);
  await waitFor("the deadline", 2000, () => (timed.signal.aborted ? true : undefined));
  assert.equal(timed.timedOut(), true);
  timed.release();

  const child = scopedSignal(parent.signal);
  parent.abort();
  assert.equal(child.signal.aborted, true);
  assert.equal(child.timedOut(), false);
  child.release();
  assert.equal(scopedSignal(parent.signal).signal.aborted, true, "an aborted parent gives an aborted child");
});
