// /healthz's warnings for tcp_<port> backends (held ones with no server included) TCP_PORTS does not
// list: one per port up to a fixed number, then one warning with the count of the rest, so thousands of
// TCP services (up to 65 535 distinct ports) cannot grow every /healthz body without bound.

/**
 * The most per-port warnings /healthz lists: enough to name every port of a real setup (TCP_PORTS itself
 * takes at most 100, and a few missing ones is the usual mistake) while a body stays a few kB.
 */
export const MAX_TCP_PORT_WARNINGS = 20;

// The warnings for `ports` (ascending): the lowest MAX_TCP_PORT_WARNINGS by name, then one with the rest.
// `taken`: those that are another listener's port (HTTP_PORT, …), which gets their connections instead.
export function unlistedTcpWarnings(
  ports: readonly number[],
  taken: readonly { port: number; listener: string }[] = [],
): string[] {
  const listenerOf = new Map(taken.map(({ port, listener }) => [port, listener]));
  const warnings = ports.slice(0, MAX_TCP_PORT_WARNINGS).map((port) => {
    const listener = listenerOf.get(port);
    return listener === undefined
      ? `backend tcp_${port} is routed but TCP_PORTS does not list ${port}: nothing listens for it`
      : `backend tcp_${port} is routed but ${port} is ${listener}: its listener gets those connections, ` +
          "and TCP_PORTS cannot list it (give the TCP service another public port)";
  });
  const rest = ports.length - warnings.length;
  if (rest > 0)
    warnings.push(
      `${rest} more tcp_<port> backends routed whose port TCP_PORTS does not list, ${ports.length} in all: ` +
        "nothing listens for them (the metric reloader_tcp_backends_unlisted counts them, " +
        "the tcp.ports-unlisted log line names the lowest ones)",
    );
  return warnings;
}
