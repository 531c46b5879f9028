// What the certificate manager's passes achieved, for status and /metrics: updates by mode, the last one
// and the last failure, each logged as it happens (certs.updated, certs.update-failed).
import type { Logger } from "@rancher-haproxy/core";
import type { CertificateSnapshot } from "./certificate-state.js";
import type { LoggedNames } from "./logged-names.js";

// The counts and last outcomes of the manager's updates; `now` dates lastUpdate.
export class CertificateUpdates {
  private readonly state: Pick<CertificateSnapshot, "updates" | "lastUpdate" | "lastError"> = {
    updates: { runtime: 0, reload: 0, failed: 0 },
    lastUpdate: null,
    lastError: null,
  };

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  // A plain copy for the manager's snapshot.
  snapshot(): Pick<CertificateSnapshot, "updates" | "lastUpdate" | "lastError"> {
    return structuredClone(this.state);
  }

  // An update went live (runtime or reload) or only its files were written (files: not counted).
  updated(mode: "runtime" | "reload" | "files", names: LoggedNames): void {
    if (mode !== "files") {
      this.state.updates[mode] += 1;
      this.state.lastUpdate = { mode, at: new Date(this.now()).toISOString() };
    }
    this.logger.info({ event: "certs.updated", mode, ...names }, `certificates updated (${mode})`);
  }

  // A pass or its reload failed: counted, kept as lastError, logged.
  failed(reason: string): void {
    this.state.updates.failed += 1;
    this.state.lastError = reason;
    this.logger.error({ event: "certs.update-failed", reason }, reason);
  }
}
