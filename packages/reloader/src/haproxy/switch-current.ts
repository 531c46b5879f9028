// Moving `current` for a switch and reloading onto it: the I/O of the supervisor's switchTo once the
// master has answered since any reload that timed out.
import { clearKept, pointKept } from "../output/kept-link.js";
import { pointCurrent } from "../output/stage-snapshot.js";
import { readWorkersGeneration } from "../sources/read-state-dir.js";
import type { Verdict } from "./confirm-reload.js";
import type { SupervisorOptions } from "./supervisor-options.js";
import type { SwitchResult } from "./switch-result.js";

// Point `current` at `generation` and reload onto it (`reload`, given what the workers ran); a reload the
// master refused points `current` back, and so does one a stop of HAProxy refused (never sent: `stopping`,
// `current` named a snapshot no worker loaded). `isRunning` is asked at each step, as HAProxy may exit
// meanwhile.
export async function switchCurrent(
  generation: number,
  isRunning: () => boolean,
  reload: (kept: number | null) => Promise<Verdict>,
  options: Pick<SupervisorOptions, "layout" | "status">,
): Promise<SwitchResult> {
  const { layout, status } = options;
  // What the workers run: `current`, or the `kept` link a reload the master gave no verdict on left
  // (settleLateReload): taken from `current` then, a refusal pointed `current` "back" at a snapshot
  // no worker ever loaded (found by a review). Until the verdict, the workers run `kept`: a reloader
  // killed meanwhile leaves the link for the next.
  const kept = await readWorkersGeneration(layout);
  if (kept !== null && kept !== generation && isRunning()) await pointKept(layout, kept);
  await pointCurrent(layout, generation);
  status.currentIs(generation);
  if (!isRunning()) return { kind: "deferred" };
  const verdict = await reload(kept);
  const back = !verdict.ok && (verdict.kind === "rejected" || verdict.kind === "stopping") && kept !== null;
  if (back) {
    await pointCurrent(layout, kept);
    status.currentIs(kept);
    await clearKept(layout);
  }
  if (!verdict.ok && verdict.kind === "stopping") return { kind: "stopping" };
  return { kind: "reloaded", verdict, kept };
}
