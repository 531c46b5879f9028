// The reports startSupervised makes of the backends going live under the generated base config.
import type { Logger, SharedBackend } from "@rancher-haproxy/core";
import type { ReloaderOptions } from "../options/reloader-options.js";
import { listenerPorts } from "../options/listener-ports.js";
import { createHttpsListenerReport } from "../reload/report-https-listener.js";
import { createTcpPortReport } from "../reload/report-tcp-ports.js";
import type { ReloaderStatus } from "../state/reloader-status.js";

// What the generated base config reports of the backends going live: TCP ports nothing listens for, and
// backends asking for HTTPS without ENABLE_SSL.
export function createBackendReports(
  options: ReloaderOptions,
  logger: Logger,
  status: ReloaderStatus,
): (backends: Buffer | readonly SharedBackend[]) => void {
  const tcp = createTcpPortReport(options.tcpPorts, logger, status, listenerPorts(options));
  if (options.ssl.enabled) return tcp;
  const https = createHttpsListenerReport(logger, status);
  return (backends) => {
    tcp(backends);
    https(backends);
  };
}
