// The counters a program's /metrics builds from a listener's ConnectionDrops: each reads its own count
// at scrape time, under its own name (unauthorized and busy are not in the by-reason counter).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  busyCounter,
  connectionDropsCounter,
  createConnectionDrops,
  MAX_ANSWER_BYTES_IN_FLIGHT,
  unauthorizedCounter,
} from "../src/index.js";

// What a scrape of a counter without labels reports: the values it was reset to and counted.
function scrape(counter: ReturnType<typeof busyCounter>): number[] {
  const counted: number[] = [];
  counter.collect.call({
    reset: () => counted.splice(0),
    inc: (value: number) => counted.push(value),
  });
  return counted;
}

test("the unauthorized and busy counters read their own counts at each scrape, named per program", () => {
  const drops = createConnectionDrops();
  const unauthorized = unauthorizedCounter("reloader", drops);
  const busy = busyCounter("generate_maps", drops);
  assert.equal(unauthorized.name, "reloader_status_unauthorized_total");
  assert.equal(busy.name, "generate_maps_status_busy_total");
  assert.deepEqual([scrape(unauthorized), scrape(busy)], [[0], [0]]);
  drops.unauthorized = 3;
  drops.busy = 5;
  drops.timeout = 7;
  assert.deepEqual([scrape(unauthorized), scrape(busy)], [[3], [5]]);
  const byReason: [string, number][] = [];
  connectionDropsCounter("reloader", drops).collect.call({
    reset: () => byReason.splice(0),
    inc: (labels: { reason: string }, value: number) => byReason.push([labels.reason, value]),
  });
  assert.equal(byReason.find(([reason]) => reason === "timeout")?.[1], 7);
  assert.equal(
    byReason.some(([reason]) => reason === "busy" || reason === "unauthorized"),
    false,
  );
});

// The busy counter's help said "256 MiB" whatever budget the listener ran with (c1a4d46); it names the one
// it is given, by default the listeners' (MAX_ANSWER_BYTES_IN_FLIGHT), and when a large answer is refused.
test("the busy counter's help names the large-answer budget it is given, 256 MiB by default", () => {
  const drops = createConnectionDrops();
  assert.equal(MAX_ANSWER_BYTES_IN_FLIGHT, 256 * 1024 * 1024);
  const help = (budget?: number) => busyCounter("reloader", drops, budget).help;
  assert.equal(
    help(),
    "Large answers (over 1 MiB) this status listener refused 503 because, with the large answers it was " +
      "still sending to their clients, they would have passed its budget of 256 MiB (one alone is always sent)",
  );
  assert.match(help(64 * 1024 * 1024), /its budget of 64 MiB \(/);
  assert.doesNotMatch(help(64 * 1024 * 1024), /256/);
  assert.match(help(1536 * 1024), /its budget of 1536 KiB \(/);
  assert.match(help(3 * 1024 * 1024 + 1), /its budget of 3145729 bytes \(/);
});
