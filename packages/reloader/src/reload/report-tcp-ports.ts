// TCP services the generator routes but nothing listens for: a `tcp_<port>` backend in the files going
// live whose port TCP_PORTS does not list. Reported (log line, /healthz warning, metric) each time the set
// changes; HAProxy runs the files anyway (the backend is harmless, it only gets no connections). The log
// line names at most MAX_LOGGED_PORTS of them and counts all.
import {
  hasBackendNames,
  parseSharedFiles,
  parseTcpBackendName,
  type Logger,
  type SharedBackend,
} from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";

/**
 * The most ports a `tcp.ports-unlisted` line names (`ports`, the message; `portCount` has them all): the
 * generator does not cap tcp_<port> backends, and 65 535 of them made a 400 kB line; 100 (TCP_PORTS' own
 * limit) names every port of a real setup in about 2 kB.
 */
export const MAX_LOGGED_PORTS = 100;

// The ports of the tcp_<port> backends in `backends` that `tcpPorts` does not list, ascending; null when
// the file breaks the contract (the checks report that). Already parsed backends are taken as they are.
export function findUnlistedTcpPorts(
  backends: string | Uint8Array | readonly SharedBackend[],
  tcpPorts: readonly number[],
): number[] | null {
  const parsed =
    typeof backends === "string" || backends instanceof Uint8Array
      ? parseSharedFiles({ backends, map: "" })
      : { ok: true as const, table: { backends } };
  if (!parsed.ok) return null;
  const listed = new Set(tcpPorts);
  return parsed.table.backends
    .map((backend) => parseTcpBackendName(backend.name))
    .filter((port): port is number => port !== undefined && !listed.has(port))
    .sort((a, b) => a - b);
}

// A reporter for the backends files that go live; it remembers the last set it reported. `listeners`:
// the reloader's other listeners (listenerPorts): a port of theirs answers a TCP client itself, and
// TCP_PORTS cannot list it, so the report says so instead of asking for it in TCP_PORTS.
export function createTcpPortReport(
  tcpPorts: readonly number[],
  logger: Logger,
  status: ReloaderStatus,
  listeners: readonly (readonly [string, number])[] = [],
): (backends: string | Uint8Array | readonly SharedBackend[]) => void {
  const listenerOf = new Map(listeners.map(([name, port]) => [port, name]));
  let last = "";
  /** the backends last looked at, when parsed: the ports depend only on their names */
  let lastNames: readonly string[] | null = null;
  return (backends) => {
    if (typeof backends !== "string" && !(backends instanceof Uint8Array)) {
      // A scale event keeps every name: one pass of name comparisons instead of a name parse each.
      if (lastNames !== null && hasBackendNames(lastNames, backends)) return;
      lastNames = backends.map((backend) => backend.name);
    } else lastNames = null;
    const unlisted = findUnlistedTcpPorts(backends, tcpPorts);
    if (unlisted === null || unlisted.join(",") === last) return;
    last = unlisted.join(",");
    const taken = unlisted.flatMap((port) => {
      const listener = listenerOf.get(port);
      return listener === undefined ? [] : [{ port, listener }];
    });
    status.tcpPortsUnlisted(unlisted, taken);
    if (unlisted.length === 0) {
      logger.info({ event: "tcp.ports-listed", tcpPorts }, "every TCP backend's port is in TCP_PORTS");
      return;
    }
    const ports = unlisted.slice(0, MAX_LOGGED_PORTS);
    const more = unlisted.length > ports.length ? ` and ${unlisted.length - ports.length} more` : "";
    const names = ports.map((port) => `tcp_${port}`).join(", ");
    const advice = taken.map(
      ({ port, listener }) =>
        `${port} is ${listener}: its listener gets those connections, and TCP_PORTS cannot list it ` +
        "(give the TCP service another public port)",
    );
    if (unlisted.length > taken.length)
      advice.push(
        `nothing listens for ${taken.length > 0 ? "the others" : "them"} (add the ports to TCP_PORTS and publish them)`,
      );
    logger.warn(
      { event: "tcp.ports-unlisted", ports, portCount: unlisted.length, tcpPorts, taken },
      `TCP backends ${names}${more} are routed by the generator, but TCP_PORTS does not list ` +
        `${ports.join(", ")}${more}: ${advice.join("; ")}`,
    );
  };
}
