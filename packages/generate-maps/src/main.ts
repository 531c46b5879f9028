// generate-maps in two functions: runCycle (read metadata -> build the routing table -> render -> write
// if changed -> report) and runLoop (a cycle, then wait for a version change or the interval; back off on failure).
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { backoffMs } from "./loop/backoff.js";
import { scopedSignal } from "./loop/scoped-signal.js";
import { sleep } from "./loop/sleep.js";
import { buildRoutingTable } from "./model/build-routing-table.js";
import type { RoutingTable } from "./model/routing-table.js";
import type { GeneratorOptions } from "./options/generator-options.js";
import { logWriteOutcomes } from "./output/log-write-outcomes.js";
import { writeOutputs, type FileOutcome, type OutputFiles } from "./output/write-outputs.js";
import { renderFiles } from "./render/render-files.js";
import { describeFailure, type FailureDescription } from "./report/describe-failure.js";
import { logReadFailure, logRouting } from "./report/log-cycle.js";
import { createSkipLog, type SkipLog } from "./report/log-skips.js";
import { readMetadata, type MetadataSnapshot } from "./sources/read-metadata.js";
import { createVersionWatcher } from "./sources/watch-version.js";

// What a cycle and the loop run with, built once by cli.ts (tests build their own).
export interface Generator {
  options: GeneratorOptions;
  client: MetadataClient;
  logger: Logger;
}

// What a cycle made of a snapshot that could be read.
export interface CycleOutput {
  version: string;
  table: RoutingTable;
  files: OutputFiles;
  /** empty when the cycle was told not to write (dry run) */
  outcomes: FileOutcome[];
}

// The result of one cycle: routed and written, or failed reading metadata, or failed writing a file.
export type CycleResult =
  | ({ ok: true; durationMs: number } & CycleOutput)
  | ({ ok: false; stage: "write"; failure: FailureDescription; durationMs: number } & CycleOutput)
  | { ok: false; stage: "read"; failure: FailureDescription; durationMs: number };

// What cycles remember between each other: skips already logged, whether a routing line was logged yet.
export interface CycleState {
  skips: SkipLog;
  routingLogged: boolean;
}

// A fresh state for a run of cycles.
export function createCycleState(logger: Logger): CycleState {
  return { skips: createSkipLog(logger), routingLogged: false };
}

// The soonest a cycle may start after the previous one: coalesces bursts of version changes.
export const MIN_CYCLE_GAP_MS = 250;

// One cycle. Never throws: an unreadable snapshot leaves both files as they are, a failed write is reported.
export async function runCycle(
  generator: Generator,
  state: CycleState,
  run: { write: boolean; signal?: AbortSignal },
): Promise<CycleResult> {
  const { options, logger } = generator;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let snapshot: MetadataSnapshot;
  try {
    snapshot = await readMetadata(generator.client, run.signal);
  } catch (error) {
    const failure = describeFailure(error);
    if (!run.signal?.aborted) logReadFailure(logger, options, failure, elapsed());
    return { ok: false, stage: "read", failure, durationMs: elapsed() };
  }
  const table = buildRoutingTable(snapshot, options);
  // (issue 7's mass-removal guard goes here: between the model and the renderers)
  const files = renderFiles(table, options);
  const outcomes = run.write ? await writeOutputs(files) : [];

  state.skips.report(table);
  logWriteOutcomes(logger, outcomes);
  logRouting(logger, {
    version: snapshot.version,
    table,
    outcomes,
    durationMs: elapsed(),
    first: !state.routingLogged,
  });
  state.routingLogged = true;
  const output: CycleOutput = { version: snapshot.version, table, files, outcomes };
  const failed = outcomes.find((outcome) => outcome.status === "failed");
  if (failed)
    return {
      ok: false,
      stage: "write",
      failure: describeFailure(failed.error),
      durationMs: elapsed(),
      ...output,
    };
  return { ok: true, durationMs: elapsed(), ...output };
}

// Cycles until `signal` aborts: after a good cycle, wait for a version change (long poll) or the interval;
// after a failed one, retry with capped backoff. `onCycle` sees every result (status listener, metrics).
export async function runLoop(
  generator: Generator,
  signal: AbortSignal,
  onCycle?: (result: CycleResult) => void,
): Promise<void> {
  const { logger, options } = generator;
  const state = createCycleState(logger);
  const watcher = createVersionWatcher(generator.client, options.intervalMs, logger);
  let failures = 0;
  let lastStart = -Infinity;
  while (await sleep(lastStart + MIN_CYCLE_GAP_MS - Date.now(), signal)) {
    lastStart = Date.now();
    const scope = scopedSignal(signal);
    const result = await runCycle(generator, state, { write: true, signal: scope.signal }).finally(
      scope.release,
    );
    if (signal.aborted) break;
    onCycle?.(result);
    if (result.ok) {
      if (failures > 0)
        logger.info(
          { event: "recovered", failedCycles: failures },
          `cycle succeeded after ${failures} failed`,
        );
      failures = 0;
      const wake = await watcher.waitForChange(result.version, signal);
      logger.debug({ event: "wake", reason: wake }, `woke up: ${wake}`);
    } else {
      failures += 1;
      const delayMs = backoffMs(failures, options.intervalMs);
      logger.debug(
        { event: "retry-scheduled", failedCycles: failures, delayMs },
        `retrying in ${delayMs} ms`,
      );
      await sleep(delayMs, signal);
    }
  }
}
