// generate-maps' Prometheus metrics, on a registry of their own (never the global one, so several
// generators can live in one test process): cycles, metadata requests and files written here; the routing
// table, freshness, the metadata version and the output's hash as scrape-time gauges (state-gauges.ts);
// the connections the status listener dropped, read at scrape time.
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import {
  connectionDropsCounter,
  EVENT_LOOP_SAMPLE_MS,
  unauthorizedCounter,
  busyCounter,
  type ConnectionDrops,
} from "@rancher-haproxy/core";
import type { CycleResult } from "../main.js";
import { outcomeError } from "../output/write-outputs.js";
import type { MetadataObserver } from "./instrument-client.js";
import type { StatusState } from "./status-state.js";
import { registerStateGauges } from "./state-gauges.js";

// The registry to serve at /metrics, and where the loop and the client report to.
export interface GeneratorMetrics {
  registry: Registry;
  metadata: MetadataObserver;
  /** counts one cycle (gauges are read from the status state at scrape time) */
  countCycle(result: CycleResult): void;
  /** counts one interval whose check stood in for the full refetch */
  countQuiet(): void;
  /** counts one /explain answered 503 (its budget of the second spent) */
  countExplainRefused(): void;
}

const FILES = ["backends", "map"] as const;
const GUARD_EVENTS = ["started", "confirmed", "recovered", "expired"] as const;
// Seconds: a fast answer is a few ms; the /version long poll is held up to the interval (+5 s).
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

// Creates the metrics over `state`; `now` is the monotonic clock (ms), what ages are measured on; `drops`
// what the status listener dropped.
export function createGeneratorMetrics(
  state: StatusState,
  now: () => number,
  drops: Readonly<ConnectionDrops>,
): GeneratorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const cycles = new Counter({
    name: "generate_maps_cycles_total",
    help: "Cycles by result: ok, read_failed (metadata unreadable, files kept), write_failed, cycle_failed (an unexpected error)",
    labelNames: ["result"],
    registers,
  });
  const quietIntervals = new Counter({
    name: "generate_maps_quiet_intervals_total",
    help: "Intervals whose check (GET /version, the files' identity) found the last good cycle still standing, so no full refetch ran",
    registers,
  });
  const cycleErrors = new Counter({
    name: "generate_maps_cycle_errors_total",
    help: "Failed cycles by stage (read, write, cycle) and error kind (network, timeout, wrong-shape, ENOSPC, unexpected...)",
    labelNames: ["stage", "kind"],
    registers,
  });
  const cycleSeconds = new Histogram({
    name: "generate_maps_cycle_duration_seconds",
    help: "Duration of a cycle: read metadata, build the table, render, write",
    buckets: REQUEST_BUCKETS.slice(0, 11),
    registers,
  });
  const requestSeconds = new Histogram({
    name: "generate_maps_metadata_request_duration_seconds",
    help: "Metadata request latency by request (version, containers, aliases, version-wait: the long poll, other: self/container/environment_uuid and self/service/name)",
    labelNames: ["request"],
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const requestErrors = new Counter({
    name: "generate_maps_metadata_errors_total",
    help: "Failed metadata requests by request and kind (network, timeout, http-status, not-found, invalid-json, too-large); a not-found on aliases means no aliases; a /containers entry that is not JSON is found after the request and counted by generate_maps_cycle_errors_total (read, invalid-json)",
    labelNames: ["request", "kind"],
    registers,
  });
  const written = new Counter({
    name: "generate_maps_files_written_total",
    help: "Files written because their bytes changed, by file (backends, map)",
    labelNames: ["file"],
    registers,
  });
  const writeErrors = new Counter({
    name: "generate_maps_file_write_errors_total",
    help: "Failed file writes by file (backends, map); the file keeps its previous content, or the union step's when the last step failed (then it is counted as written too)",
    labelNames: ["file"],
    registers,
  });
  new Counter({ ...connectionDropsCounter("generate_maps", drops), registers });
  new Counter({ ...unauthorizedCounter("generate_maps", drops), registers });
  new Counter({ ...busyCounter("generate_maps", drops), registers });
  const explainRefused = new Counter({
    name: "generate_maps_explain_refused_total",
    help: "/explain requests answered 503 because its answers had used their 100 ms per second of the loop (on average)",
    registers,
  });
  const guardEvents = new Counter({
    name: "generate_maps_removal_guard_events_total",
    help: "The mass-removal guard's holds started (a new reduced answer, restarts included) and ended: confirmed, recovered (the answer came back), expired; counts every flip of an answer that flaps, whose log lines are paced",
    labelNames: ["event"],
    registers,
  });
  for (const event of GUARD_EVENTS) guardEvents.inc({ event }, 0);
  for (const file of FILES) {
    written.inc({ file }, 0);
    writeErrors.inc({ file }, 0);
  }
  for (const result of ["ok", "read_failed", "write_failed", "cycle_failed"]) cycles.inc({ result }, 0);

  registerStateGauges(registry, state, now);

  return {
    registry,
    metadata: {
      observe(request, seconds, errorKind) {
        requestSeconds.observe({ request }, seconds);
        if (errorKind !== null) requestErrors.inc({ request, kind: errorKind });
      },
    },
    countCycle(result) {
      cycles.inc({ result: result.ok ? "ok" : `${result.stage}_failed` });
      cycleSeconds.observe(result.durationMs / 1000);
      if (!result.ok) cycleErrors.inc({ stage: result.stage, kind: result.failure.kind });
      // A release whose write failed is released again by the next cycle: a confirmed or expired one is
      // counted with the write that holds it; a recovered one is not repeated.
      const guard = "guard" in result ? result.guard : null;
      if (guard?.action === "hold" && guard.started) guardEvents.inc({ event: "started" });
      const release = guard?.action === "apply" ? guard.release : null;
      if (release !== null && (result.ok || release.outcome === "recovered"))
        guardEvents.inc({ event: release.outcome });
      if (!("outcomes" in result)) return;
      for (const outcome of result.outcomes) {
        const file = outcome.path === result.files.backends.path ? "backends" : "map";
        if (outcome.status === "changed") written.inc({ file });
        if (outcomeError(outcome)) writeErrors.inc({ file });
      }
    },
    countQuiet() {
      quietIntervals.inc();
    },
    countExplainRefused() {
      explainRefused.inc();
    },
  };
}
