// What HAProxy starts from: the inputs if they pass haproxy -c, else the last good snapshot (and say so),
// else the base config with empty routing (every host 503). Nothing passing is a StartupError.
import type { Logger } from "@rancher-haproxy/core";
import type { InputFiles } from "../sources/read-inputs.js";
import { StartupError } from "../startup-error.js";
import type { SnapshotStore } from "./snapshot-store.js";

// Returns the generation `current` now points at.
export async function chooseStartSnapshot(
  store: SnapshotStore,
  files: InputFiles,
  logger: Logger,
): Promise<number> {
  const earlier = await store.open();
  const fromInputs = await store.stageAndCheck(files);
  if (fromInputs.check.ok) return adopt(store, fromInputs.generation);

  const lastGood = earlier.current;
  if (lastGood !== null && earlier.generations.includes(lastGood) && (await store.checkCurrent()).ok) {
    logger.warn(
      { event: "start.last-good", generation: lastGood },
      `the current files fail haproxy -c: starting from the last good snapshot gen-${lastGood}`,
    );
    return adopt(store, lastGood);
  }

  const empty = await store.stageAndCheck({ ...files, backends: Buffer.alloc(0), map: Buffer.alloc(0) });
  if (empty.check.ok) {
    logger.warn(
      { event: "start.empty-routing", generation: empty.generation },
      "the current files fail haproxy -c and there is no last good snapshot: starting with empty routing (503)",
    );
    return adopt(store, empty.generation);
  }
  throw new StartupError(
    "no configuration passes haproxy -c, not even the base config with empty routing",
    1,
  );
}

async function adopt(store: SnapshotStore, generation: number): Promise<number> {
  await store.makeCurrent(generation);
  await store.prune();
  return generation;
}
