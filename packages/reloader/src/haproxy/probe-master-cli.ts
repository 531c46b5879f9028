// A periodic `show proc` to the master while nothing else asks it: a master whose CLI went silent (alive,
// its socket accepting, never answering: stopped, wedged) was noticed only by the next change, whose
// reload then timed out; with no change pending, /healthz said ok for as long as it lasted.
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";

/** silent at this many probes in a row before it is reported (one slow answer on a busy host is not) */
export const SILENT_AFTER_PROBES = 2;

// What is probed: the supervisor's probeMaster.
export interface MasterProbe {
  probeMaster(): Promise<boolean | null>;
}

// A running probe.
export interface MasterCliProbe {
  close(): void;
}

// Probes every `intervalMs`: SILENT_AFTER_PROBES unanswered probes in a row report the master silent
// (status, a `haproxy.cli-silent` warning), one answer reports it back (`haproxy.cli-answers`). Only a
// report: its workers may serve on, and a restart would cut their connections.
export function probeMasterCli(
  supervisor: MasterProbe,
  status: ReloaderStatus,
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
): MasterCliProbe {
  let unanswered = 0;
  let firstUnansweredAt = 0;
  let probing = false;
  const probe = async () => {
    const answered = await supervisor.probeMaster();
    if (answered === null || answered) {
      if (unanswered >= SILENT_AFTER_PROBES)
        logger.info({ event: "haproxy.cli-answers" }, "HAProxy's master answers its CLI again");
      unanswered = 0;
      status.masterCliSilent(null);
      return;
    }
    if (unanswered === 0) firstUnansweredAt = now();
    unanswered += 1;
    if (unanswered !== SILENT_AFTER_PROBES) return;
    logger.warn(
      { event: "haproxy.cli-silent", probes: unanswered },
      "HAProxy's master does not answer show proc: a change cannot be applied until it does",
    );
    status.masterCliSilent(firstUnansweredAt);
  };
  const timer = setInterval(() => {
    if (probing) return;
    probing = true;
    void probe()
      .catch((error: unknown) =>
        logger.error({ event: "haproxy.cli-probe-error", err: String(error) }, "the master probe failed"),
      )
      .finally(() => (probing = false));
  }, intervalMs);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
