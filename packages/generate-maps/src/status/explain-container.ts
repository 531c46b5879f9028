// Explains containers by name or uuid from the routing table: where a routed one is served, or the
// model's own skip code and reason, or that it simply has no routing label.
import { parseTcpBackendName } from "@rancher-haproxy/core";
import { SKIP_CODES } from "../model/reasons.js";
import type {
  Backend,
  ContainerRef,
  ModelOptions,
  RoutingTable,
  Server,
  SkippedContainer,
} from "../model/routing-table.js";
import { groupBy } from "../model/group-by.js";
import { clipForNote } from "../model/note-budget.js";
import { cutNameMatcher } from "./cut-name-matcher.js";
import { entryBudget, type EntryBudget } from "./entry-budget.js";
import type { ContainerExplanation, ServerView } from "./explanation.js";

// The most host names the routed containers of one answer list together: each lists every host of its
// backend (up to 10 000 aliases of its stack), and many containers may share a name. A container's hosts
// are given whole while fewer were given; past that it has `hostCount` and no hosts.
export const MAX_EXPLAIN_HOST_ENTRIES = 20_000;

// The most containers one answer explains, as a host's lists (MAX_HOST_LIST): 250 000 containers of one
// name made a 100 MB answer and blocked the event loop for seconds per request. The rest are counted.
export const MAX_EXPLAIN_CONTAINERS = 5000;

// The containers of `table` whose name or uuid is `query` (case-insensitive), routed ones first: the
// first `limit` explained, the others counted (`left`); `budget` counts the host names given (the caller
// reads the containers left without theirs). The table holds a name over 200 characters cut (containerRef:
// clipForNote), so the query is cut the same way before it is compared: the whole name finds it (until
// 2026-12-05 only its uuid did), as does any name with its first 200 characters and its length, in any
// case (cutNameMatcher: a `Σ` at the cut or an `İ` before it once made another case miss).
export function explainContainers(
  table: RoutingTable,
  query: string,
  options: ModelOptions,
  budget: EntryBudget = entryBudget(MAX_EXPLAIN_HOST_ENTRIES),
  limit: number = MAX_EXPLAIN_CONTAINERS,
): { list: ContainerExplanation[]; left: number } {
  const wanted = query.toLowerCase();
  const wantedName = clipForNote(query).toLowerCase();
  const isCutOfQuery = cutNameMatcher(query);
  const matches = (name: string, uuid: string | null) => {
    const named = name.toLowerCase();
    return (
      named === wanted ||
      named === wantedName ||
      isCutOfQuery(name) ||
      (uuid !== null && uuid.toLowerCase() === wanted)
    );
  };
  const list: ContainerExplanation[] = [];
  let left = 0;
  // Explained only while there is room: a match past the limit is counted, never built.
  const add = (explanation: () => ContainerExplanation) => {
    if (list.length < limit) list.push(explanation());
    else left += 1;
  };
  // the hosts of each backend, grouped once when the first routed container is found
  let hostsOf: Map<string, RoutingTable["hosts"]> | undefined;
  for (const backend of table.backends)
    for (const server of backend.servers)
      if (matches(server.container, server.uuid))
        add(() => {
          hostsOf ??= groupBy(table.hosts, (host) => host.backend);
          const hosts = hostsOf.get(backend.name) ?? [];
          return routed(backend, server, hosts, budget.take(hosts.length));
        });
  for (const skip of table.skipped) if (matches(skip.container, skip.uuid)) add(() => explainSkipped(skip));
  for (const ref of table.unlabelled)
    if (matches(ref.container, ref.uuid)) add(() => explainUnlabelled(ref, options));
  return { list, left };
}

// A labelled container the model skipped: its code, reason and what the code means.
export function explainSkipped(skip: SkippedContainer): ContainerExplanation {
  return {
    ...base(skip),
    status: "skipped",
    code: skip.code,
    reason: skip.reason,
    meaning: SKIP_CODES[skip.code],
    ...(skip.route === "tcp" ? { route: "tcp" as const } : {}),
  };
}

// A container without the routing label: not an error, just not asked to be routed.
export function explainUnlabelled(ref: ContainerRef, options: ModelOptions): ContainerExplanation {
  return {
    ...base(ref),
    status: "unlabelled",
    code: null,
    reason:
      `it has no ${options.label} label: add ${options.label}=<port> to route it by host ` +
      `(or ${options.tcpLabel}=<public port>:<port> for a TCP service)`,
    meaning: null,
  };
}

// A server line as the explanation shows it.
export function serverView(server: Server): ServerView {
  return { name: server.name, address: server.address, port: server.port, proxy: server.proxy ?? null };
}

// `listed`: false when the answer's host budget is spent (hosts [] and hostCount set).
function routed(
  { name: backend, stack }: Backend,
  server: Server,
  hosts: RoutingTable["hosts"],
  listed: boolean,
): ContainerExplanation {
  return {
    kind: "container",
    container: server.container,
    uuid: server.uuid,
    // the stack, not the backend: `tcp_<port>` and a path backend's `<stack>.<service>` are no stack's
    stack,
    status: "routed",
    code: null,
    reason: `routed: server ${server.name} of backend ${backend}${tcpNote(backend)}`,
    meaning: null,
    backend,
    server: serverView(server),
    hosts: listed ? hosts.map((host) => host.fqdn) : [],
    ...(listed ? {} : { hostCount: hosts.length }),
    ...(parseTcpBackendName(backend) === undefined ? {} : { route: "tcp" as const }),
  };
}

// What a tcp_<port> backend is, for a reason text ("" for a stack's backend). generate-maps does not read
// TCP_PORTS, so it says what the port needs, not that it is listed.
function tcpNote(backend: string): string {
  const port = parseTcpBackendName(backend);
  return port === undefined
    ? ""
    : ` (TCP service on public port ${port}: HAProxy listens on it only if the reloader's TCP_PORTS lists it)`;
}

function base(ref: ContainerRef) {
  return {
    kind: "container" as const,
    container: ref.container,
    uuid: ref.uuid,
    stack: ref.stack,
    backend: null,
    server: null,
    hosts: [],
  };
}
