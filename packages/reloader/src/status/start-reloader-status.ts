// The reloader's observability in one call: metrics over ReloaderStatus, the applied-files probe and
// the listener (a bind failure is logged, HAProxy keeps running without it).
import {
  createConnectionDrops,
  startStatusListener,
  type Logger,
  type StatusServer,
} from "@rancher-haproxy/core";
import type { CertificateSource } from "../certs/status/with-certificate-routes.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import type { StateLayout } from "../output/snapshot-layout.js";
import type { InputPaths } from "../sources/read-inputs.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { createAppliedStateProbe } from "./applied-state-probe.js";
import { withPendingSince } from "./pending-since.js";
import { createReloaderMetrics } from "./reloader-metrics.js";
import { reloaderRoutes } from "./reloader-routes.js";
import { createRunningConfigCache } from "./running-config-cache.js";

// Extra time a changed input may take beyond debounce + reload timeout (haproxy -c, a busy machine).
const APPLY_SLACK_MS = 2000;

// What the reloader's status needs to read.
export interface ReloaderStatusInput {
  options: ReloaderOptions;
  status: ReloaderStatus;
  layout: StateLayout;
  inputs: InputPaths;
  logger: Logger;
  now?: () => number;
  /** the certificate manager (ENABLE_SSL), shown on /healthz, /metrics and /config */
  certificates?: CertificateSource | null;
}

// Starts the listener on options.status; null when it is off or could not listen.
export async function startReloaderStatus(input: ReloaderStatusInput): Promise<StatusServer | null> {
  const { options, status, layout, inputs, logger } = input;
  if (options.status.port === null) return startStatusListener(options.status, {}, logger);
  const now = input.now ?? Date.now;
  // One probe for /healthz and /metrics: shared while in flight, re-reading only files that changed.
  const generation = () => status.snapshot().runningGeneration;
  const graceMs = options.debounceMs + options.reloadTimeoutMs + APPLY_SLACK_MS;
  // A change's wait is measured on the monotonic clock, not read from its mtime alone.
  const partial = () => status.snapshot().partialStepsToward !== null;
  const applied = withPendingSince(createAppliedStateProbe({ inputs, layout, generation, partial }), {
    capMs: graceMs + 1000,
    clock: now,
  });
  // The connections the listener drops (cap, timeouts), counted by it and read by /metrics.
  const drops = createConnectionDrops();
  const registry = createReloaderMetrics(status, applied, now, drops);
  // /config's answers: one read of the running snapshot, shared and kept while that generation runs.
  const runningConfig = createRunningConfigCache({ layout });
  const routes = reloaderRoutes({ status, registry, runningConfig, applied, graceMs, now });
  if (!input.certificates) return startStatusListener(options.status, routes, logger, drops);
  // Loaded only with TLS on, as the rest of the certificate code.
  const { registerCertificateMetrics } = await import("../certs/status/register-certificate-metrics.js");
  const { withCertificateRoutes } = await import("../certs/status/with-certificate-routes.js");
  registerCertificateMetrics(registry, input.certificates);
  const withCertificates = withCertificateRoutes(routes, input.certificates);
  return startStatusListener(options.status, withCertificates, logger, drops);
}
