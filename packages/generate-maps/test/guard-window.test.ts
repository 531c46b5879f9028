// The removal guard over several cycles: a removal counts against every server written within the last
// confirmation window, so removals in slices add up (a network-agent restart flipping one host's
// containers per cycle took 100 → 51 → 26 → 13 … through, one allowed share at a time), a flap back and
// forth is held the second time, and a hold confirmed once is not held again for the same removal.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  buildRoutingTable,
  checkRemovals,
  createRemovalGuard,
  noteWritten,
  type FileOutcome,
  type RoutingTable,
} from "../src/index.js";
import { captureLogger, container, MODEL_OPTIONS, tempDir } from "./helpers.js";

const CONTAINERS = Array.from({ length: 100 }, () => container({ stack_name: "shop" }));
const first = (n: number): RoutingTable =>
  buildRoutingTable({ containers: CONTAINERS.slice(0, n), aliases: {} }, MODEL_OPTIONS);
const WRITTEN: FileOutcome[] = [
  { path: "backends.cfg", status: "changed" },
  { path: "domain.map", status: "changed" },
];

async function loop(t: Parameters<typeof tempDir>[0]) {
  const { logger } = captureLogger();
  const dir = await tempDir(t);
  const files = { backendsPath: join(dir, "b.cfg"), domainMapPath: join(dir, "d.map"), domain: "dev.tld" };
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  // One cycle at `now`: the decision, and the write when it applies.
  return async (size: number, now: number) => {
    const table = first(size);
    const decision = await checkRemovals(guard, table, files, logger, now);
    noteWritten(guard, table, decision.action === "apply" ? WRITTEN : [], now);
    return { action: decision.action, removed: decision.removal.removed, applied: decision.removal.applied };
  };
}

test("removals in slices add up within the window: 100 → 51 is written, 51 → 26 is held", async (t) => {
  const cycle = await loop(t);
  assert.equal((await cycle(100, 0)).action, "apply");
  assert.deepEqual(await cycle(51, 250), { action: "apply", removed: 49, applied: 100 });
  assert.deepEqual(await cycle(26, 500), { action: "hold", removed: 74, applied: 100 });
  assert.equal((await cycle(26, 30_500)).action, "apply", "the same answer for the window: confirmed");
  assert.equal((await cycle(26, 30_750)).action, "apply", "a confirmed removal is not held again");
  assert.equal((await cycle(13, 31_000)).action, "apply", "the next slice counts from the confirmed state");
});

test("outside the window, a slice counts against what is on disk only", async (t) => {
  const cycle = await loop(t);
  await cycle(100, 0);
  assert.equal((await cycle(51, 1_000)).action, "apply");
  assert.deepEqual(await cycle(26, 31_001), { action: "apply", removed: 25, applied: 51 });
});

test("a flap back and forth: the second drop is held though it is under the share of what is on disk", async (t) => {
  const cycle = await loop(t);
  await cycle(100, 0);
  assert.equal((await cycle(40, 250)).action, "hold");
  assert.equal((await cycle(60, 500)).action, "apply", "recovered within the share");
  assert.deepEqual(await cycle(40, 750), { action: "hold", removed: 60, applied: 100 });
});
