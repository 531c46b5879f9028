// The counters a program's /metrics builds from a listener's ConnectionDrops: each reads its own count
// at scrape time, under its own name (unauthorized and busy are not in the by-reason counter).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  busyCounter,
  connectionDropsCounter,
  createConnectionDrops,
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
