// /metrics is open to the network (STATUS_TOKEN is optional) and Prometheus scrapes it every few
// seconds: its skip gauges must not walk the last table's skipped containers once per reason code on
// every scrape. At 50 000 skipped containers each scrape took ≈ 120 ms of the loop, so 64 connections of
// 8 pipelined scrapes (512 × 120 ms) could hold it for about a minute (found by a review). The counts
// are taken once per table.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createConnectionDrops } from "@rancher-haproxy/core";
import {
  buildRoutingTable,
  createGeneratorMetrics,
  createStatusState,
  recordCycle,
  renderFiles,
  type RoutingTable,
} from "../src/index.js";
import { parseMetrics, metricValue } from "../../test-support/src/status/index.ts";
import { clockAt, container, MODEL_OPTIONS } from "./helpers.js";

// A table of `stopped` stopped containers (skipped: not-running) and one routed stack with `aliases`
// aliases of which all but the first are redundant (skipped: alias-redundant, the same name twice).
function tableWith(stopped: number): RoutingTable {
  const containers = [
    container({ stack_name: "shop" }),
    ...Array.from({ length: stopped }, (_, i) => container({ stack_name: `s${i % 50}`, state: "stopped" })),
  ];
  return buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
}

// `list` behind a proxy that counts how many of its entries are read.
function counted<T>(list: T[], reads: { count: number }): T[] {
  return new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^[0-9]+$/.test(key)) reads.count += 1;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

test("/metrics reads a table's skipped containers once, not once per reason code on every scrape", async () => {
  const state = createStatusState(0);
  const metrics = createGeneratorMetrics(state, () => 1, createConnectionDrops());
  const record = (table: RoutingTable, version: string) => {
    const files = renderFiles(table, { backendsPath: "/b.cfg", domainMapPath: "/d.map" });
    const cycle = { ok: true as const, durationMs: 1, version, table, files, outcomes: [], guard: null };
    recordCycle(state, cycle, clockAt(1));
  };
  const reads = { count: 0 };
  const table = tableWith(2000);
  assert.equal(table.skipped.length, 2000);
  record({ ...table, skipped: counted(table.skipped, reads) }, "v1");

  for (let scrape = 0; scrape < 5; scrape++) {
    const samples = parseMetrics(await metrics.registry.metrics());
    assert.equal(metricValue(samples, "generate_maps_containers_skipped", { reason: "not-running" }), 2000);
    assert.equal(metricValue(samples, "generate_maps_containers_skipped", { reason: "unhealthy" }), 0);
  }
  assert.ok(
    reads.count <= 2000,
    `5 scrapes read ${reads.count} skipped entries: at most one pass over the 2 000 of the table`,
  );

  // A new table is counted anew.
  record(tableWith(3), "v2");
  const samples = parseMetrics(await metrics.registry.metrics());
  assert.equal(metricValue(samples, "generate_maps_containers_skipped", { reason: "not-running" }), 3);
});
