// What HAProxy starts from: the inputs if they pass haproxy -c, else the last good snapshot (and say so),
// else the base config with empty routing (every host 503). Nothing passing is a StartupError. A check
// with no verdict (timed out, killed: CheckStoppedError) refuses nothing: the inputs are checked again by
// the first pass, and the last good snapshot, which passed before, is started from even when its own
// check gets no verdict either. Inputs whose snapshot cannot be written (a full or read-only state dir)
// get no verdict either. When a running master is adopted, the last good snapshot is kept even
// when it fails the check now too: the failure is the environment's (a SYSLOG_HOST name during a DNS
// outage), not the files', and exit 1 (or empty routing) would drop what that master serves.
import type { Logger, SharedTable } from "@rancher-haproxy/core";
import type { SlotMap } from "../model/server-slots.js";
import type { InputFiles } from "../sources/read-inputs.js";
import { StartupError } from "../startup-error.js";
import { CheckStoppedError } from "./check-stopped-error.js";
import type { SnapshotStore } from "./snapshot-store.js";

// Why the last good snapshot is kept beside a running master though it fails haproxy -c now too.
const ENVIRONMENT =
  "it fails haproxy -c now too, so the environment does (a SYSLOG_HOST name that does not resolve?); the running master keeps serving";

// The generation `current` now points at, and why the inputs were refused (null: they were used, or
// could not be read).
export interface StartSnapshot {
  generation: number;
  refused: string | null;
  /** the inputs were only not settled yet (a map naming a backend not declared yet): look again later */
  unsettled: boolean;
  /** their check gave no verdict (timed out, killed): neither used nor refused, the first pass checks
   * them again; null otherwise */
  deferred: string | null;
  /** what the snapshot holds, when it was staged from the inputs now */
  staged?: { table: SharedTable; slots: SlotMap };
}

// `files` is null when the inputs could not be read; `base` is then the base config alone (null:
// unreadable too). `adopting`: a running master of this state dir is adopted, not started.
export async function chooseStartSnapshot(
  store: SnapshotStore,
  files: InputFiles | null,
  base: Buffer | null,
  logger: Logger,
  adopting = false,
): Promise<StartSnapshot> {
  const earlier = await store.open();
  // An adopted master's workers run what `current` named, as far as the state dir knows: kept on disk
  // until its reload onto the new snapshot is judged (a refusal points `current` back there).
  const running = adopting ? earlier.current : null;
  let deferred: string | null = null;
  const fromInputs = files
    ? await store.stageAndCheck(files).catch((error: unknown) => {
        if (error instanceof StartupError) throw error;
        if (error instanceof CheckStoppedError) deferred = error.message;
        else {
          // Not written (a full or read-only state dir): no verdict either; the last good one may run.
          deferred = `the snapshot could not be staged: ${String(error)}`;
          logger.error(
            { event: "start.stage-failed", err: String(error) },
            `${deferred}: starting from the last good snapshot if there is one; the first pass tries again`,
          );
        }
        return null;
      })
    : null;
  if (fromInputs?.ok)
    return {
      generation: await adopt(store, fromInputs.generation, running),
      refused: null,
      unsettled: false,
      deferred: null,
      staged: { table: fromInputs.table, slots: fromInputs.slots },
    };
  const unsettled = fromInputs?.unsettled === true;

  const lastGood = earlier.current;
  if (lastGood !== null && earlier.generations.includes(lastGood)) {
    const check = await store.checkCurrent();
    const stopped = check.ok ? null : (check.stopped ?? (adopting ? ENVIRONMENT : null));
    if (check.ok || stopped !== null) {
      // It fails now too: the inputs' failure says nothing about them either (checked again, not refused).
      if (!check.ok && check.stopped === null) deferred = ENVIRONMENT;
      const unchecked = check.ok ? {} : { unchecked: stopped };
      logger.warn(
        { event: "start.last-good", generation: lastGood, ...unchecked },
        `the current files ${deferred === null ? "fail the checks" : "got no verdict"}: starting from the last good snapshot gen-${lastGood}` +
          (check.ok ? "" : ` (its own check got none either: ${stopped}; it passed before)`),
      );
      const refused = deferred === null ? (fromInputs?.reason ?? null) : null;
      return { generation: await adopt(store, lastGood, running), refused, unsettled, deferred };
    }
  }
  const refused = fromInputs?.reason ?? null;

  if (base === null)
    throw new StartupError("the base config cannot be read and there is no last good snapshot", 1);
  const empty = await store.stageAndCheckEmpty(base);
  if (empty.ok) {
    logger.warn(
      { event: "start.empty-routing", generation: empty.generation },
      "the current files fail the checks and there is no last good snapshot: starting with empty routing (503)",
    );
    return { generation: await adopt(store, empty.generation, running), refused, unsettled, deferred };
  }
  throw new StartupError(
    "no configuration passes haproxy -c, not even the base config with empty routing",
    1,
  );
}

async function adopt(store: SnapshotStore, generation: number, running: number | null): Promise<number> {
  await store.makeCurrent(generation);
  await store.prune(running);
  return generation;
}
