// The guard's log lines against an answer that flaps (reduced, whole, reduced… each cycle): before, each
// flip logged a `guard.hold` (warn) and a `guard.release` (info), 38 holds in 20 s in a review. After a
// logged recovery, flips within the next window log at debug only; the next line logged says how many.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  buildRoutingTable,
  checkRemovals,
  createRemovalGuard,
  noteWritten,
  type FileOutcome,
} from "../src/index.js";
import { captureLogger, clockAt, container, MODEL_OPTIONS, tempDir } from "./helpers.js";

const written: FileOutcome[] = ["backends.cfg", "domain.map"].map((path) => ({ path, status: "unchanged" }));
const WHOLE = buildRoutingTable(
  { containers: Array.from({ length: 10 }, () => container({ stack_name: "shop" })), aliases: {} },
  MODEL_OPTIONS,
);
const EMPTY = buildRoutingTable({ containers: [], aliases: {} }, MODEL_OPTIONS);

// A guard (share 0.5, window 30 s) whose baseline is WHOLE, and its log lines.
async function pacedGuard(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t);
  const files = { backendsPath: join(dir, "a.cfg"), domainMapPath: join(dir, "a.map"), domain: "dev.tld" };
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  const { logger, lines } = captureLogger("debug");
  const cycle = async (table: typeof WHOLE, ms: number) => {
    const decision = await checkRemovals(guard, table, files, logger, clockAt(ms));
    if (decision.action === "apply") noteWritten(guard, table, written);
    return decision;
  };
  await cycle(WHOLE, 0);
  const warned = () => lines().filter((line) => line["event"] === "guard.hold" && line["level"] === 40);
  return { cycle, warned, lines };
}

test("an answer that flaps logs one hold and one release per window, then says how many flips it muted", async (t) => {
  const { cycle, lines } = await pacedGuard(t);
  // 20 s of flips every 500 ms: 20 holds and 20 recoveries.
  for (let ms = 500; ms <= 20_000; ms += 1000) {
    assert.equal((await cycle(EMPTY, ms)).action, "hold");
    assert.equal((await cycle(WHOLE, ms + 500)).action, "apply");
  }
  const at = (level: number, event: string) =>
    lines().filter((line) => line["event"] === event && line["level"] === level).length;
  assert.equal(at(40, "guard.hold"), 1, "the first hold is a warning");
  assert.equal(at(30, "guard.release"), 1, "and its recovery an info line");
  assert.equal(at(20, "guard.hold") + at(20, "guard.release"), 38, "the other 19 flips at debug only");
  // A window after the logged recovery, the next hold is a warning again and says how many were muted.
  assert.equal((await cycle(EMPTY, 32_000)).action, "hold");
  const hold = lines().filter((line) => line["event"] === "guard.hold" && line["level"] === 40)[1];
  assert.equal(hold?.["mutedSinceLast"], 38);
  assert.match(String(hold?.["msg"]), /38 holds and recoveries before this one were logged at debug only/);
  // A muted hold that lasts its window is still written and logged as a warning: the files change.
  await cycle(WHOLE, 32_500);
  assert.equal((await cycle(EMPTY, 33_000)).action, "hold");
  const confirmed = await cycle(EMPTY, 63_000);
  assert.equal(confirmed.action === "apply" ? confirmed.release?.outcome : "hold", "confirmed");
  const release = lines().findLast((line) => line["event"] === "guard.release");
  assert.equal(release?.["outcome"], "confirmed");
  assert.equal(release?.["level"], 40);
  assert.equal(release?.["mutedSinceLast"], 1, "the muted hold it confirms");
});

const reducedTo = (count: number) =>
  buildRoutingTable(
    { containers: Array.from({ length: count }, () => container({ stack_name: "other" })), aliases: {} },
    MODEL_OPTIONS,
  );

test("an answer flapping between two reduced answers logs each once per window", async (t) => {
  const { cycle, warned } = await pacedGuard(t);
  const [a, b] = [EMPTY, reducedTo(1)];
  for (let ms = 500; ms <= 10_000; ms += 1000) {
    assert.equal((await cycle(a, ms)).action, "hold");
    assert.equal((await cycle(b, ms + 500)).action, "hold");
  }
  assert.equal(warned().length, 2, "A and B once each; before, 20 warnings");
});

test("a new reduced answer during a quiet period is still a warning", async (t) => {
  const { cycle, warned } = await pacedGuard(t);
  for (let ms = 500; ms <= 4_000; ms += 1000) {
    await cycle(EMPTY, ms);
    await cycle(WHOLE, ms + 500);
  }
  assert.equal(warned().length, 1);
  assert.equal((await cycle(reducedTo(2), 5_000)).action, "hold");
  assert.equal(warned().length, 2, "another reduced answer is announced at once");
  assert.equal(warned()[1]?.["mutedSinceLast"], 6, "with the flips muted before it");
});
