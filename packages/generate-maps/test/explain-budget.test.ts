// /explain is open to the network and an answer over a large table costs ~100 ms of the loop: the
// answers of one second may take EXPLAIN_BUDGET_MS of it, the rest are answered 503 and counted, and the
// next second answers again. /routes is built once per table, not once per quiet interval.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createConnectionDrops, responseBytes, type StatusResponse } from "@rancher-haproxy/core";
import {
  buildRoutingTable,
  createGeneratorMetrics,
  createStatusState,
  ExplainBudget,
  generatorRoutes,
  recordCycle,
  recordQuiet,
  renderFiles,
  type StatusState,
} from "../src/index.js";
import { clockAt, container, generatorOptions, MODEL_OPTIONS } from "./helpers.js";

// A status state whose last good cycle routed one stack `shop` of three containers.
function stateWithShop(): StatusState {
  const containers = Array.from({ length: 3 }, () => container({ stack_name: "shop" }));
  const table = buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
  const state = createStatusState(0);
  const files = renderFiles(table, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });
  const cycle = { ok: true as const, durationMs: 1, version: "v1", table, files, outcomes: [], guard: null };
  recordCycle(state, cycle, clockAt(1));
  return state;
}

test("ExplainBudget: answers run while budget is left; it refills at 100 ms a second, and a costly answer is paid back", () => {
  let now = 0;
  const budget = new ExplainBudget(() => now, 100, 1000);
  const costly = (ms: number) => () => {
    now += ms;
    return ms;
  };
  assert.equal(budget.spend(costly(60)), 60);
  assert.equal(budget.spend(costly(60)), 60, "40 ms left: it still runs (and overruns)");
  assert.equal(budget.spend(costly(1)), null, "20 ms owed");
  now += 199;
  assert.equal(budget.spend(costly(1)), null, "199 ms idle refill 19.9 ms: still owed");
  now += 2;
  assert.equal(budget.spend(costly(1)), 1, "201 ms idle refilled it past zero");
  // An answer of 1.2 s is paid back over 12 s of idle time, not forgotten at the next second.
  now += 10_000;
  assert.equal(budget.spend(costly(1200)), 1200);
  now += 1000;
  assert.equal(budget.spend(costly(1)), null, "a second later, 1 000 ms are still owed");
  now += 10_010;
  assert.equal(budget.spend(costly(1)), 1, "paid back");
  // A throwing answer still counts its time; the refill never goes above the budget.
  now += 60_000;
  assert.throws(() =>
    budget.spend(() => {
      now += 150;
      throw new Error("boom");
    }),
  );
  assert.equal(budget.spend(costly(1)), null, "the throwing answer's time was counted, from a full 100 ms");
});

test("/explain: past its budget a request is answered 503 and counted on /metrics; later it answers again", async () => {
  const state = stateWithShop();
  const metrics = createGeneratorMetrics(state, () => 0, createConnectionDrops());
  // Every reading of the clock moves it 40 ms on: each answer takes 40 ms of the loop.
  let now = 0;
  const routes = generatorRoutes({
    state,
    registry: metrics.registry,
    options: generatorOptions("127.0.0.1:1", "/nowhere"),
    now: () => (now += 40),
    explainRefused: () => metrics.countExplainRefused(),
  });
  const ask = (): StatusResponse => {
    const answer = routes["/explain"]?.({
      path: "/explain",
      query: new URLSearchParams("host=shop.dev.tld"),
    });
    assert.ok(answer !== undefined && !(answer instanceof Promise));
    return answer;
  };
  const statuses = Array.from({ length: 8 }, ask).map((answer) => answer.status);
  assert.equal(statuses[0], 200);
  const refused = statuses.filter((status) => status === 503).length;
  assert.ok(refused >= 4, `back to back, most are refused: ${statuses.join(" ")}`);
  const busy = ask();
  assert.equal(busy.status, 503);
  assert.match(busy.body, /^busy: \/explain answers used their 100 ms per second of the loop/);
  assert.match(
    await metrics.registry.metrics(),
    new RegExp(`^generate_maps_explain_refused_total ${refused + 1}$`, "m"),
  );
  now += 5000;
  assert.equal(ask().status, 200, "after a while it answers again");
});

test("/routes is not built again after a quiet interval: the same table, the same encoded bytes", () => {
  const state = stateWithShop();
  const routes = generatorRoutes({
    state,
    registry: createGeneratorMetrics(state, () => 0, createConnectionDrops()).registry,
    options: generatorOptions("127.0.0.1:1", "/nowhere"),
    now: () => 2,
  });
  const ask = () => {
    const answer = routes["/routes"]?.({ path: "/routes", query: new URLSearchParams() });
    assert.ok(answer !== undefined && !(answer instanceof Promise));
    return responseBytes(answer);
  };
  const bytes = ask();
  recordQuiet(state, clockAt(5000));
  recordQuiet(state, clockAt(10_000));
  assert.equal(ask(), bytes, "the same bytes after two quiet intervals");
});
