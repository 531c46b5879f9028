// The ports the reloader itself listens on besides TCP_PORTS, each with the option that sets it: no two
// may share a port, TCP_PORTS may list none of them, and a tcp_<port> backend on one is routed to that
// listener instead (report-tcp-ports.ts says so).
import type { ReloaderOptions } from "./reloader-options.js";

// HTTP_PORT, then HTTPS_PORT (ENABLE_SSL), STATS_PORT (ENABLE_STATS) and STATUS_PORT (unless off).
export function listenerPorts(
  options: Pick<ReloaderOptions, "httpPort" | "ssl" | "stats" | "status">,
): [string, number][] {
  const used: [string, number][] = [["HTTP_PORT", options.httpPort]];
  if (options.ssl.enabled) used.push(["HTTPS_PORT", options.ssl.port]);
  if (options.stats.enabled) used.push(["STATS_PORT", options.stats.port]);
  if (options.status.port) used.push(["STATUS_PORT", options.status.port]);
  return used;
}
