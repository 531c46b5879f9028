// The report of inputs that are not settled yet (a map naming a backend the backends file does not
// declare yet): one log line and /healthz last error per content, not one per re-read.
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";

// Report the inputs `hash` unless they are the ones `lastHash` already reported.
export function reportUnsettled(
  hash: string,
  reason: string,
  lastHash: string | null,
  context: { logger: Logger; status: ReloaderStatus },
): void {
  if (lastHash === hash) return;
  context.status.inputsUnsettled(reason);
  context.logger.warn({ event: "inputs.unsettled", reason }, `keeping the running config: ${reason}`);
}
