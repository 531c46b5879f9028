// One generate-maps cycle: read metadata -> build the routing table -> render -> write if changed ->
// report. What it runs with (Generator), what it remembers between cycles (CycleState), what it returns.
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import type { RemovalDecision, RemovalGuardSettings } from "../guard/decide-removal-hold.js";
import { createRemovalGuard, type RemovalGuard } from "../guard/create-removal-guard.js";
import { checkRemovals, noteWritten } from "../guard/removal-guard.js";
import { readClock, systemClock, type Clock } from "../loop/clock.js";
import {
  carryAliases,
  createAliasMemory,
  needsSeed,
  seedAliases,
  type AliasMemory,
} from "./carry-aliases.js";
import { createCyclePacer, CycleStopped } from "./cycle-pacer.js";
import { routingTableSteps } from "../model/build-routing-table.js";
import type { RoutingTable, SkippedContainer } from "../model/routing-table.js";
import type { GeneratorOptions } from "../options/generator-options.js";
import { logWriteOutcomes } from "../output/log-write-outcomes.js";
import { cleanStaleTemps } from "../output/clean-stale-temps.js";
import {
  outcomeError,
  writeOutputs,
  type FileOutcome,
  type OutputFiles,
  type OutputWriter,
} from "../output/write-outputs.js";
import { renderFiles } from "../render/render-files.js";
import { describeFailure, type FailureDescription } from "../report/describe-failure.js";
import { logReadFailure, logRouting } from "../report/log-cycle.js";
import { createSkipLog, type SkipLog } from "../report/log-skips.js";
import { readMapAliases } from "../sources/read-map-aliases.js";
import { readMetadata, snapshotReadError, type MetadataSnapshot } from "../sources/read-metadata.js";

// What a cycle and the loop run with, built once by cli.ts (tests build their own).
export interface Generator {
  options: GeneratorOptions;
  client: MetadataClient;
  logger: Logger;
  /** the clocks (default systemClock): timing on the monotonic one, the wall one only for shown times */
  clock?: Clock;
}

// What a cycle made of a snapshot that could be read.
export interface CycleOutput {
  version: string;
  table: RoutingTable;
  files: OutputFiles;
  /** empty when the cycle was told not to write (dry run) or the removal guard holds */
  outcomes: FileOutcome[];
  /** the mass-removal guard's verdict (null: no guard in --once/--dry-run or with a 0 s window) */
  guard: RemovalDecision | null;
}

// The result of one cycle: routed and written, or failed reading metadata, or failed writing a file.
// "cycle": anything else threw (a bug, or an input no check foresaw); the files stay as they are.
export type CycleResult =
  | ({ ok: true; durationMs: number } & CycleOutput)
  | ({ ok: false; stage: "write"; failure: FailureDescription; durationMs: number } & CycleOutput)
  | { ok: false; stage: "read" | "cycle"; failure: FailureDescription; durationMs: number };

// What cycles remember between each other: skips already logged, whether a routing line was logged yet,
// the removal guard's baseline and pending hold.
export interface CycleState {
  skips: SkipLog;
  routingLogged: boolean;
  guard: RemovalGuard | null;
  /** true once the temp files a killed run left next to the outputs were removed (the first writing
   * cycle, or a later one while some were too young to tell from a running generator's) */
  tempsCleaned: boolean;
  /** the last aliases read, for a cycle whose own container metadata does not know (carry-aliases.ts) */
  aliases: AliasMemory;
  /** the generator's own environment once metadata said it (it never changes: not asked again while it
   * skips no container) */
  environment: string | null;
  /** the last cycle skipped a container for `environment`: the next asks it again, and only another
   * uuid replaces it (a 404 or a failed request keeps it) */
  environmentDoubted: boolean;
}

// A fresh state for a run of cycles; with `guard` (and a window over 0) mass removals wait for confirmation.
export function createCycleState(logger: Logger, guard?: RemovalGuardSettings): CycleState {
  const guarded = guard !== undefined && guard.confirmMs > 0;
  return {
    skips: createSkipLog(logger),
    routingLogged: false,
    guard: guarded ? createRemovalGuard(guard) : null,
    tempsCleaned: false,
    aliases: createAliasMemory(),
    environment: null,
    environmentDoubted: false,
  };
}

// How to run one cycle: write or not (dry run), cancellation, the writer's hook, a version already known.
export interface CycleRun {
  write: boolean;
  signal?: AbortSignal;
  writer?: OutputWriter;
  version?: string;
}

// One cycle. Never throws: an unreadable snapshot leaves both files as they are, a failed write is
// reported, and anything that throws unexpectedly is caught, logged (cycle-failed) and reported too.
// `run.version`: the version the long poll just answered, if it woke this cycle (no GET /version then).
// A stop (`run.signal`) seen before the writes ends the cycle there, files as they are, with no line.
export async function runCycle(generator: Generator, state: CycleState, run: CycleRun): Promise<CycleResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    return await cycle(generator, state, run, elapsed);
  } catch (error) {
    const failure = describeFailure(error);
    // Only the stop itself goes unlogged: anything else that throws while stopping (after the writes,
    // say) is still a cycle-failed line.
    if (error instanceof CycleStopped) return { ok: false, stage: "cycle", failure, durationMs: elapsed() };
    generator.logger.error(
      { event: "cycle-failed", kind: failure.kind, error: failure.message },
      `cycle failed unexpectedly, files kept as they are; retrying: ${failure.message}`,
    );
    return { ok: false, stage: "cycle", failure, durationMs: elapsed() };
  }
}

async function cycle(
  generator: Generator,
  state: CycleState,
  run: CycleRun,
  elapsed: () => number,
): Promise<CycleResult> {
  const { options, logger } = generator;
  const readFailed = (error: unknown): CycleResult => {
    const failure = describeFailure(error);
    if (!run.signal?.aborted) logReadFailure(logger, options, failure, elapsed());
    return { ok: false, stage: "read", failure, durationMs: elapsed() };
  };
  let snapshot: MetadataSnapshot;
  try {
    const read = await readMetadata(
      generator.client,
      run.signal,
      run.version,
      state.environment,
      state.environmentDoubted,
    );
    state.environment = read.environment ?? null;
    if (!read.selfKnown && needsSeed(state.aliases))
      seedAliases(state.aliases, await readMapAliases(options.domainMapPath, options.domain));
    snapshot = carryAliases(state.aliases, read, logger);
  } catch (error) {
    return readFailed(error);
  }
  // The model pauses between its steps (cycle-pacer.ts): a long one leaves the status listener and the
  // signal handlers their turn; a stop during a pause ends the cycle.
  const pacer = createCyclePacer(generator.clock ?? systemClock, run.signal);
  const table = await pacer.run(routingTableSteps(snapshot, options));
  // An environment that skipped a container is asked again by the next cycle: it is trusted without
  // asking only while it skips nothing. Kept for good, one wrong answer skipped this environment's own
  // containers as other-environment at every cycle after metadata answered right again, until a restart.
  // Asked again, only another uuid replaces it: forgotten, one 404 (metadata not knowing the generator's
  // address for a moment) routed the linked environments' containers here, and one failed request of it
  // failed the cycle.
  state.environmentDoubted = state.environment !== null && table.skipped.some(isOtherEnvironment);
  // An entry of /containers that was not JSON: the answer is refused as a whole, like a failed read.
  const late = snapshotReadError(snapshot);
  if (late !== null) return readFailed(late);
  const now = readClock(generator.clock ?? systemClock);
  const guard = state.guard && (await checkRemovals(state.guard, table, options, logger, now));
  const files = renderFiles(table, options);
  if (run.write && !state.tempsCleaned) state.tempsCleaned = await cleanStaleTemps(files, logger);
  // Nothing is written once the generator is stopping.
  pacer.stopIfAborted();
  const outcomes = run.write && guard?.action !== "hold" ? await writeOutputs(files, run.writer) : [];
  if (state.guard) noteWritten(state.guard, table, outcomes);

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
  const output: CycleOutput = { version: snapshot.version, table, files, outcomes, guard };
  const failed = outcomes.map(outcomeError).find((error) => error !== undefined);
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

// A skip for another environment (the generator's own environment decided it).
function isOtherEnvironment(skip: SkippedContainer): boolean {
  return skip.code === "other-environment";
}
