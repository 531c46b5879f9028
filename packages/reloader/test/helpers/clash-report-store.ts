import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "@rancher-haproxy/core";
import type { RefusedBackend } from "../../src/model/without-clashing-backends.ts";
import { stateLayout } from "../../src/output/snapshot-layout.ts";
import { SnapshotStore } from "../../src/reload/snapshot-store.ts";
import { cappedHaproxy } from "./capped-haproxy.ts";
import { captureLog } from "./capture-log.ts";

// An opened store in a temporary dir (`prefix`, removed when the test ends) checking with the capped
// HAProxy, with what it reports of section clashes: the backends each onRefused call shows (`shown`) and
// the inputs.section-clash* and inputs.rejected events logged so far (`said`), for the clash-report tests.
export async function clashReportStore(
  t: { after: (fn: () => unknown) => void },
  prefix: string,
  slotsPerBlock: number,
): Promise<{ store: SnapshotStore; logger: Logger; shown: string[][]; said: () => string[] }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { logger, events } = captureLog();
  const shown: string[][] = [];
  const store = new SnapshotStore(
    await cappedHaproxy(dir),
    stateLayout(join(dir, "state")),
    logger,
    slotsPerBlock,
    {
      onRefused: (refused: readonly RefusedBackend[]) => shown.push(refused.map((entry) => entry.backend)),
    },
  );
  await store.open();
  const said = () =>
    events()
      .map((entry) => String(entry["event"]))
      .filter((event) => event.startsWith("inputs.section-clash") || event === "inputs.rejected");
  return { store, logger, shown, said };
}
