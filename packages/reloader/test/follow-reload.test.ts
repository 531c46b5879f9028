// A worker started by a reload that did not come from a change (the certificates' fallback) of the same
// master onto the snapshot the applier knows runs the known state: the applier follows it, so the next
// change is planned at runtime, not as `state-unknown` (found by a review). A restart (another master)
// or another snapshot stays unknown.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { KnownState } from "../src/reload/applier-state.ts";
import { followReload } from "../src/reload/follow-reload.ts";

const known = { masterPid: 10, workerPid: 11, generation: 3, state: {} } as unknown as KnownState;

test("the same master reloaded onto the known snapshot: the known state moves to the new worker", () => {
  const followed = followReload(known, { haproxyPid: 10, workerPid: 12, runningGeneration: 3 });
  assert.deepEqual(followed, { ...known, workerPid: 12 });
});

test("another master, another snapshot, no worker, or nothing known: left as it is", () => {
  assert.equal(followReload(known, { haproxyPid: 20, workerPid: 21, runningGeneration: 3 }), known);
  assert.equal(followReload(known, { haproxyPid: 10, workerPid: 12, runningGeneration: 4 }), known);
  assert.equal(followReload(known, { haproxyPid: 10, workerPid: 12, runningGeneration: null }), known);
  assert.equal(followReload(known, { haproxyPid: null, workerPid: null, runningGeneration: null }), known);
  assert.equal(followReload(known, { haproxyPid: 10, workerPid: 11, runningGeneration: 3 }), known);
  assert.equal(followReload(null, { haproxyPid: 10, workerPid: 12, runningGeneration: 3 }), null);
});
