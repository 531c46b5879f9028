// The options of a HAProxy supervisor a test drives by itself: `bin` on `layout`, no restart after an exit,
// a silent logger and a status of its own (the reloader's wiring, start-supervised.ts, is not under test).
import { createLogger } from "@rancher-haproxy/core";
import type { SupervisorOptions } from "../../src/haproxy/supervisor-options.ts";
import type { StateLayout } from "../../src/output/snapshot-layout.ts";
import { ReloaderStatus } from "../../src/state/reloader-status.ts";

// Supervisor options for `bin` on `layout`: 10 s reload timeout, no restart, nothing logged.
export function quietSupervisorOptions(bin: string, layout: StateLayout): SupervisorOptions {
  return {
    bin,
    layout,
    reloadTimeoutMs: 10_000,
    maxRestarts: 0,
    logger: createLogger({ name: "t", level: "silent", format: "json" }),
    status: new ReloaderStatus(),
    stdoutFifo: null,
    onGiveUp: () => undefined,
  };
}
