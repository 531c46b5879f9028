// /routes: what the files on disk route, host by host (and TCP port by port) down to the servers, and
// every container and alias left out with its reason: the routing table as JSON, nothing recomputed.
import { parseTcpBackendName } from "@rancher-haproxy/core";
import type { HostRoute, RouteNote, SkippedAlias, SkippedContainer } from "../model/routing-table.js";
import { serverView } from "./explain-container.js";
import type { ServerView } from "./explanation.js";
import type { GoodCycle } from "./status-state.js";

// One domain.map line with the servers of its backend.
export interface HostRoutes {
  host: string;
  backend: string;
  source: HostRoute["source"];
  /** the backend's options from labels ({}: none) */
  options: NonNullable<GoodCycle["output"]["table"]["backends"][number]["options"]>;
  servers: (ServerView & { container: string; uuid: string })[];
}

// One TCP service: its public port, its `tcp_<port>` backend and the servers behind it.
export interface TcpRoutes {
  port: number;
  backend: string;
  servers: (ServerView & { container: string; uuid: string })[];
}

// The whole report.
export interface RoutesReport {
  version: string;
  /** when the cycle that wrote these files ran */
  at: string;
  outputSha256: string;
  counts: GoodCycle["output"]["table"]["counts"];
  hosts: HostRoutes[];
  /** TCP services by public port (tcp_<port> backends); a port lost by a stack is in `skipped` */
  tcp: TcpRoutes[];
  skipped: SkippedContainer[];
  skippedAliases: SkippedAlias[];
  /** option fallbacks and disagreements, refused and lost host claims */
  notes: RouteNote[];
  /** set when the newest metadata answer differs and is held back by the removal guard */
  held: { version: string; reason: string; releaseAt: string } | null;
}

// Builds the report from the cycle the files come from (`applied`) and the newest good cycle.
export function buildRoutesReport(applied: GoodCycle, newest: GoodCycle): RoutesReport {
  const { table, version } = applied.output;
  const guard = newest.output.guard;
  return {
    version,
    at: new Date(applied.at).toISOString(),
    outputSha256: applied.outputSha256,
    counts: table.counts,
    hosts: table.hosts.map((host) => {
      const backend = table.backends.find((entry) => entry.name === host.backend);
      return {
        host: host.fqdn,
        backend: host.backend,
        source: host.source,
        options: backend?.options ?? {},
        servers: (backend?.servers ?? []).map((server) => ({
          ...serverView(server),
          container: server.container,
          uuid: server.uuid,
        })),
      };
    }),
    tcp: table.backends.flatMap((backend) => {
      const port = parseTcpBackendName(backend.name);
      if (port === undefined) return [];
      const servers = backend.servers.map((server) => ({
        ...serverView(server),
        container: server.container,
        uuid: server.uuid,
      }));
      return [{ port, backend: backend.name, servers }];
    }),
    skipped: table.skipped,
    skippedAliases: table.skippedAliases,
    notes: table.notes,
    held:
      guard?.action === "hold"
        ? {
            version: newest.output.version,
            reason: guard.reason,
            releaseAt: new Date(guard.releaseAt).toISOString(),
          }
        : null,
  };
}
