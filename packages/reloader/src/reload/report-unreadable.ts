// The log lines and status for inputs that cannot be read as a set: missing, or unreadable (a directory,
// FIFO... in a file's place). The running config stays.
import type { Logger } from "@rancher-haproxy/core";
import type { InputsOutcome } from "../sources/read-inputs.js";
import type { ReloaderStatus } from "../state/reloader-status.js";

// Report what readInputs could not read.
export function reportUnreadable(
  read: Extract<InputsOutcome, { ok: false }>,
  logger: Logger,
  status: ReloaderStatus,
): void {
  if (read.missing.length > 0)
    logger.warn(
      { event: "inputs.missing", missing: read.missing },
      "an input file is missing: keeping the running config",
    );
  if (read.unreadable.length > 0) {
    const first = read.unreadable[0];
    logger.error(
      { event: "inputs.unreadable", unreadable: read.unreadable },
      `an input file cannot be read: keeping the running config (${first?.path} ${first?.reason})`,
    );
    status.reloadEnded("check-failed", null, null, `${first?.path} ${first?.reason}`);
  }
}

// What a report of `read` says, as a key: the same key again is the same report (not repeated).
export function unreadableKey(read: Extract<InputsOutcome, { ok: false }>): string {
  return JSON.stringify([read.missing, read.unreadable]);
}
