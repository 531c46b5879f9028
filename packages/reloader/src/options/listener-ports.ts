// The ports the reloader itself listens on besides TCP_PORTS, each with the option that sets it: no two
// may share a port, TCP_PORTS may list none of them, and a tcp_<port> backend on one is routed to that
// listener instead (report-tcp-ports.ts says so).
import type { ReloaderOptions } from "./reloader-options.js";

// The options that set a listener's port.
export type ListenerOption = "httpPort" | "httpsPort" | "statsPort" | "statusPort";

const VARIABLES: Readonly<Record<ListenerOption, string>> = {
  httpPort: "HTTP_PORT",
  httpsPort: "HTTPS_PORT",
  statsPort: "STATS_PORT",
  statusPort: "STATUS_PORT",
};

// HTTP_PORT, then HTTPS_PORT (ENABLE_SSL), STATS_PORT (ENABLE_STATS) and STATUS_PORT (unless off), each
// named by `name` (default: its variable; the option checks name a flag the command line gave).
export function listenerPorts(
  options: Pick<ReloaderOptions, "httpPort" | "ssl" | "stats" | "status">,
  name: (option: ListenerOption) => string = (option) => VARIABLES[option],
): [string, number][] {
  const used: [string, number][] = [[name("httpPort"), options.httpPort]];
  if (options.ssl.enabled) used.push([name("httpsPort"), options.ssl.port]);
  if (options.stats.enabled) used.push([name("statsPort"), options.stats.port]);
  if (options.status.port) used.push([name("statusPort"), options.status.port]);
  return used;
}
