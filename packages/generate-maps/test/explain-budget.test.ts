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
  EXPLAIN_BUDGET_MS,
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

test("ExplainBudget: answers run until the window's budget is spent, then none until the next window", () => {
  let now = 0;
  const budget = new ExplainBudget(() => now, 100, 1000);
  const costly = (ms: number) => () => {
    now += ms;
    return ms;
  };
  assert.equal(budget.spend(costly(60)), 60);
  assert.equal(budget.spend(costly(60)), 60, "40 ms left of the budget: it still runs (and overruns)");
  assert.equal(budget.spend(costly(1)), null, "120 ms spent in this window");
  now = 999;
  assert.equal(budget.spend(costly(1)), null, "still the same window");
  now = 1120;
  assert.equal(budget.spend(costly(30)), 30, "a new window");
  // A throwing answer still counts its time.
  assert.throws(() =>
    budget.spend(() => {
      now += 90;
      throw new Error("boom");
    }),
  );
  assert.equal(budget.spend(costly(1)), null, "the time of the throwing answers was counted");
});

test("/explain: past the second's budget a request is answered 503, counted on /metrics, and answered again the next second", async () => {
  const state = stateWithShop();
  const metrics = createGeneratorMetrics(state, () => 0, createConnectionDrops());
  // Every reading of the clock moves it 30 ms on: each answer takes 30 ms of the loop.
  let now = 0;
  const routes = generatorRoutes({
    state,
    registry: metrics.registry,
    options: generatorOptions("127.0.0.1:1", "/nowhere"),
    now: () => (now += 30),
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
  const answers = Array.from({ length: 6 }, ask).map((answer) => answer.status);
  const served = Math.ceil(EXPLAIN_BUDGET_MS / 30);
  assert.deepEqual(answers, [...Array<number>(served).fill(200), ...Array<number>(6 - served).fill(503)]);
  assert.match(ask().body, /^busy: \/explain answers took their 100 ms of this second/);
  assert.match(
    await metrics.registry.metrics(),
    new RegExp(`^generate_maps_explain_refused_total ${6 - served + 1}$`, "m"),
  );
  now += 1000;
  assert.equal(ask().status, 200, "the next second answers again");
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
