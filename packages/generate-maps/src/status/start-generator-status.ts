// generate-maps' observability in one call: the status state, the metrics, the instrumented metadata
// client and the listener; the loop reports each cycle through onCycle, each quiet interval through onQuiet,
// each long poll of its waits through onWaitReach.
import {
  createConnectionDrops,
  startStatusListener,
  type Logger,
  type MetadataClient,
  type StatusServer,
} from "@rancher-haproxy/core";
import { readClock, systemClock, type Clock } from "../loop/clock.js";
import type { CycleResult } from "../main.js";
import type { GeneratorOptions } from "../options/generator-options.js";
import { createGeneratorMetrics } from "./generator-metrics.js";
import { generatorRoutes } from "./generator-routes.js";
import { instrumentClient } from "./instrument-client.js";
import {
  createStatusState,
  recordCycle,
  recordQuiet,
  recordWaitReach,
  type StatusState,
} from "./status-state.js";

// What the loop runs with: the client to use, the cycle hook, the listener (null: off or not bound).
export interface GeneratorStatus {
  client: MetadataClient;
  onCycle: (result: CycleResult) => void;
  /** an interval's check stood in for the refetch (see runLoop) */
  onQuiet: () => void;
  /** a long poll (or plain /version read) of the loop's wait failed with this error, or was answered (null) */
  onWaitReach: (error: string | null) => void;
  state: StatusState;
  server: StatusServer | null;
  close(): Promise<void>;
}

// Starts the listener on options.status (a bind failure is logged, routing goes on without it). Ages are
// measured on the monotonic clock; the wall clock dates what is shown.
export async function startGeneratorStatus(
  options: GeneratorOptions,
  logger: Logger,
  client: MetadataClient,
  clock: Clock = systemClock,
): Promise<GeneratorStatus> {
  const now = () => clock.monotonic();
  const state = createStatusState(now());
  // The connections the listener drops (cap, timeouts), counted by it and read by /metrics.
  const drops = createConnectionDrops();
  const metrics = createGeneratorMetrics(state, now, drops);
  const routes = generatorRoutes({
    state,
    registry: metrics.registry,
    options,
    now,
    explainRefused: () => metrics.countExplainRefused(),
  });
  const server = await startStatusListener(options.status, routes, logger, drops);
  return {
    client: instrumentClient(client, metrics.metadata),
    onCycle(result) {
      recordCycle(state, result, readClock(clock));
      metrics.countCycle(result);
    },
    onQuiet() {
      recordQuiet(state, readClock(clock));
      metrics.countQuiet();
    },
    onWaitReach(error) {
      recordWaitReach(state, error, now());
    },
    state,
    server,
    close: async () => {
      await server?.close();
    },
  };
}
