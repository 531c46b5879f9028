// What the supervisor learns when the master answers `show proc` again after a reload it did not
// confirm in time: that reload went live (the status names its worker), or the master refused it or it
// was never sent (the old workers serve on, so `current` goes back to the snapshot they run, as for a
// refusal in time). The reload is counted in reloader_reloads_total here, by that verdict: the report of
// the timeout did not count it.
import type { Logger, ProcInfo } from "@rancher-haproxy/core";
import type { StateLayout } from "../output/snapshot-layout.js";
import { clearKept } from "../output/kept-link.js";
import { pointCurrent } from "../output/stage-snapshot.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { judgeReload, type Verdict } from "./confirm-reload.js";

// A reload not confirmed in time: show proc before it, and the snapshot `current` named before the
// switch that sent it (null: a reload that did not move `current`, a certificates' one). `sent: false`:
// its `reload` never reached the master (its CLI did not answer or connect); judged the same way (a
// reload counted since is another client's), only said differently.
export interface LateReload {
  before: ProcInfo | null;
  kept: number | null;
  sent?: false;
}

// Why a switch or reload is put off: the last reload timed out (or could not be sent: someone else's may
// have reached the master) and the master still does not answer.
export function unsettledReason(late: LateReload): string {
  const what = late.sent === false ? "a reload could not be sent to it" : "a reload timed out";
  return `the master has not answered since ${what}: current is not moved until it does`;
}

// `sent: false` of a verdict whose reload never reached the master, for its LateReload.
export function sentOf(verdict: Verdict): { sent?: false } {
  return !verdict.ok && verdict.sent === false ? { sent: false } : {};
}

// Judge `late` from the master's first answer since (`info`); throws only when `current` cannot be moved.
export async function settleLateReload(
  late: LateReload,
  info: ProcInfo,
  options: {
    layout: StateLayout;
    status: ReloaderStatus;
    logger: Logger;
    onPointedBack?: (generation: number) => Promise<void>;
  },
): Promise<void> {
  const { layout, status, logger } = options;
  const verdict = late.before === null ? null : judgeReload(late.before, info);
  const sent = late.sent ?? true;
  if (verdict?.ok === true) {
    status.reloadCounted("applied");
    status.workerConfirmed(verdict.workerPid, verdict.info.reloads);
    await clearKept(layout);
    logger.info(
      {
        event: "reload.settled",
        outcome: "applied",
        workerPid: verdict.workerPid,
        keptGeneration: null,
        sent,
      },
      sent
        ? "the master answers again: the reload that timed out went live"
        : "the master answers again: a reload since the one not sent (another client's) went live",
    );
    return;
  }
  // Refused, or never sent (the master did not answer show proc before it): the old workers run `kept`.
  const outcome = verdict !== null ? "refused" : late.before === null ? "not-sent" : "unknown";
  const kept = outcome === "unknown" ? null : late.kept;
  // Counted now, once (the report of the timeout counted nothing): by the master's verdict when it gave one.
  status.reloadCounted(outcome === "refused" ? "rejected" : "unconfirmed");
  if (kept !== null) {
    await pointCurrent(layout, kept);
    status.currentIs(kept);
    await clearKept(layout);
    // The reports (TCP ports, HTTPS) may have heard of the refused snapshot: an adoption's, at the start.
    await options.onPointedBack?.(kept);
  }
  const back = kept === null ? "" : `; current is back on gen-${kept}`;
  const said = {
    refused: sent
      ? "the master answers again and reports the reload that timed out refused: the old workers keep serving"
      : "the master answers again and reports a reload since the one not sent (another client's) refused: the old workers keep serving",
    "not-sent": "the master answers again; the reload was not sent (it did not answer before it)",
    unknown: sent
      ? "the master answers again; it reports no verdict on the reload that timed out"
      : "the master answers again; the reload was not sent (it could not connect) and it counted none since",
  }[outcome];
  const fields = { event: "reload.settled", outcome, workerPid: null, keptGeneration: kept, sent };
  logger.warn(fields, `${said}${back}`);
}
