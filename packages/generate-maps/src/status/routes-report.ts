// /routes: what the files on disk route, host by host (and TCP port by port) down to the servers, and
// every container and alias left out with its reason: the routing table as JSON, nothing recomputed.
// Every host repeats its backend's servers, so those copies stop at MAX_ROUTES_SERVER_ENTRIES (`cut`).
import { parseTcpBackendName } from "@rancher-haproxy/core";
import type {
  Backend,
  HostRoute,
  RouteNote,
  Server,
  SkippedAlias,
  SkippedContainer,
} from "../model/routing-table.js";
import { listAliasSkips, MAX_LISTED_ALIAS_SKIPS } from "../model/list-alias-skips.js";
import { entryBudget } from "./entry-budget.js";
import { serverView } from "./explain-container.js";
import type { ServerView } from "./explanation.js";
import type { GoodCycle } from "./status-state.js";

// The most server entries the hosts of one report copy (some 260 bytes each as served: about 5 MB): every
// alias of a stack repeats all its servers, and 1 000 servers under 1 000 aliases made a 188 MB body.
// A host's list is given whole while fewer were given; past that a host has its backend and serverCount.
export const MAX_ROUTES_SERVER_ENTRIES = 20_000;

// One server line of a report and the container behind it.
export type RouteServer = ServerView & { container: string; uuid: string };

// One domain.map line with the servers of its backend.
export interface HostRoutes {
  host: string;
  backend: string;
  source: HostRoute["source"];
  /** the backend's options from labels ({}: none) */
  options: NonNullable<GoodCycle["output"]["table"]["backends"][number]["options"]>;
  /** how many servers the backend has, listed or not */
  serverCount: number;
  /** the backend's servers; [] for a host past the report's server budget (see `cut`) */
  servers: RouteServer[];
}

// Set when hosts past the server budget are given without their servers, and how to read those.
export interface RoutesCut {
  limit: number;
  hostsWithoutServers: number;
  reason: string;
}

// Set when skipped aliases past MAX_LISTED_ALIAS_SKIPS of a code are counted, not listed.
export interface SkippedAliasesCut {
  limit: number;
  /** code -> how many skips of that code are not in `skippedAliases` */
  unlisted: Record<string, number>;
  reason: string;
}

// One TCP service: its public port, its `tcp_<port>` backend and the servers behind it.
export interface TcpRoutes {
  port: number;
  backend: string;
  servers: RouteServer[];
}

// The whole report.
export interface RoutesReport {
  version: string;
  /** when the cycle that wrote these files ran */
  at: string;
  outputSha256: string;
  counts: GoodCycle["output"]["table"]["counts"];
  /** null when every host lists its servers */
  cut: RoutesCut | null;
  hosts: HostRoutes[];
  /** TCP services by public port (tcp_<port> backends); a port lost by a stack is in `skipped` */
  tcp: TcpRoutes[];
  skipped: SkippedContainer[];
  /** the first MAX_LISTED_ALIAS_SKIPS of each code */
  skippedAliases: SkippedAlias[];
  /** null when every skipped alias is listed */
  skippedAliasesCut: SkippedAliasesCut | null;
  /** option fallbacks and disagreements, refused and lost host claims */
  notes: RouteNote[];
  /** set when the newest metadata answer differs and is held back by the removal guard */
  held: { version: string; reason: string; releaseAt: string } | null;
}

// Builds the report from the cycle the files come from (`applied`) and the newest good cycle.
export function buildRoutesReport(applied: GoodCycle, newest: GoodCycle): RoutesReport {
  const { table, version } = applied.output;
  const guard = newest.output.guard;
  const hosts = listHosts(table.hosts, table.backends, MAX_ROUTES_SERVER_ENTRIES);
  const aliasSkips = listAliasSkips(table.skippedAliases);
  return {
    version,
    at: new Date(applied.at).toISOString(),
    outputSha256: applied.outputSha256,
    counts: table.counts,
    cut: hosts.cut,
    hosts: hosts.list,
    tcp: table.backends.flatMap((backend) => {
      const port = parseTcpBackendName(backend.name);
      if (port === undefined) return [];
      return [{ port, backend: backend.name, servers: backend.servers.map(routeServer) }];
    }),
    skipped: table.skipped,
    skippedAliases: aliasSkips.listed,
    skippedAliasesCut: aliasSkipsCut(aliasSkips.unlisted),
    // without the uuid explain tells containers apart by: a long one would repeat in each note
    notes: table.notes.map(({ uuid: _uuid, ...note }) => note),
    held:
      guard?.action === "hold"
        ? {
            version: newest.output.version,
            reason: guard.reason,
            releaseAt: new Date(guard.shown.releaseAt).toISOString(),
          }
        : null,
  };
}

// The hosts with their backends' servers (one map of the backends, not a search per host), the copies
// given while fewer than `limit` server entries were given.
function listHosts(
  hosts: readonly HostRoute[],
  backends: readonly Backend[],
  limit: number,
): { list: HostRoutes[]; cut: RoutesCut | null } {
  const byName = new Map(backends.map((backend) => [backend.name, backend]));
  const budget = entryBudget(limit);
  const list = hosts.map((host): HostRoutes => {
    const backend = byName.get(host.backend);
    const servers = backend?.servers ?? [];
    return {
      host: host.fqdn,
      backend: host.backend,
      source: host.source,
      options: backend?.options ?? {},
      serverCount: servers.length,
      servers: budget.take(servers.length) ? servers.map(routeServer) : [],
    };
  });
  const left = budget.omitted();
  const cut =
    left === 0
      ? null
      : {
          limit,
          hostsWithoutServers: left,
          reason:
            `the hosts list servers until ${limit} server entries are given (each host repeats its ` +
            `backend's servers): ${left} hosts after that have their backend and serverCount but no ` +
            `servers; GET /explain?host=<host> lists the servers of one host`,
        };
  return { list, cut };
}

// What a list of skipped aliases left out, or null when it left out none.
function aliasSkipsCut(unlisted: ReadonlyMap<string, number>): SkippedAliasesCut | null {
  if (unlisted.size === 0) return null;
  const total = [...unlisted.values()].reduce((sum, count) => sum + count, 0);
  return {
    limit: MAX_LISTED_ALIAS_SKIPS,
    unlisted: Object.fromEntries(unlisted),
    reason:
      `skippedAliases lists the first ${MAX_LISTED_ALIAS_SKIPS} skipped aliases of each code: ${total} more ` +
      `are counted in unlisted by code (counts.skippedAliases and generate_maps_aliases_skipped count ` +
      `them all); GET /explain?host=<alias>.<domain> explains one`,
  };
}

function routeServer(server: Server): RouteServer {
  return { ...serverView(server), container: server.container, uuid: server.uuid };
}
