// The model's output: everything routed, and everything not routed with the reason why.
// Its hosts and backends are the shared-file contract's types (@rancher-haproxy/core) plus what explain needs.
import type { MapEntry, SharedBackend, SharedServer } from "@rancher-haproxy/core";
import type { AliasSkipCode, ContainerSkipCode, NoteCode } from "./reasons.js";

// The PROXY protocol options a container may ask for with the proxy label: the contract's server options.
export { PROXY_OPTIONS, type ProxyOption } from "@rancher-haproxy/core";

// The /containers list as the model reads it, once and in order: an array, or the answer's entries
// parsed one at a time as they are reached (core's JsonArrayEntries), so a large answer is never one
// parsed tree.
export type ContainerEntries = Iterable<unknown>;

// What the model reads: one metadata snapshot, already checked for shape by the source.
export interface MetadataInput {
  /** the /containers list; entries that are not objects are skipped by the model; each read once */
  containers: ContainerEntries;
  /** /self/service/metadata/aliases: stack name -> list of alias names ({} when there are none) */
  aliases: unknown;
  /** the generator's own environment (self/container/environment_uuid): /containers also lists the
   * containers of other environments' services linked to this one, which are skipped; null or absent
   * when metadata does not say (then none is) */
  environment?: string | null;
}

// The model's settings (validated options).
export interface ModelOptions {
  /** lower-case DNS name, e.g. dev.tld */
  domain: string;
  /** the label whose value is the container's port, e.g. map-public-http */
  label: string;
  /** the label that asks for a PROXY protocol option, e.g. send-proxy */
  proxyLabel: string;
  /** the label of TCP services, `<public port>:<container port>`, e.g. map-public-tcp (its PROXY option:
   * `<tcpLabel>.proxy-protocol`) */
  tcpLabel: string;
  /** CIDRs a container address must be in (undefined: any address except the special ranges) */
  backendNetworks?: readonly string[] | undefined;
}

// How a container is named in logs and reports (stack null: standalone or unreadable).
export interface ContainerRef {
  container: string;
  uuid: string | null;
  stack: string | null;
}

// One line of domain.map (its key in `fqdn`, maybe `*.` and a path), and whether the stack's own name,
// an alias or a `hosts` label made it.
export interface HostRoute extends MapEntry {
  source: "stack" | "alias" | "hosts";
}

// One server line of a backend, and the container behind it.
export interface Server extends SharedServer {
  container: string;
  uuid: string;
}

// One backend block: a routed stack (or `<stack>.<service>` with a path), or a TCP service's
// `tcp_<port>` (mode tcp, no options, no hosts), and its servers, sorted by name.
export interface Backend extends SharedBackend {
  servers: Server[];
  /** the lower-cased stack (of a TCP backend: the stack that won its port) */
  stack: string;
  /** the path prefix of a `<stack>.<service>` backend */
  path?: string;
  /** the names its `hosts` label claims (before ownership and conflicts are settled) */
  hostClaims: string[];
}

// Something routed differently from what a container's labels ask (visible in logs, /routes, explain).
export interface RouteNote {
  backend: string;
  /** the container whose label it is about, null for a backend-wide note */
  container: string | null;
  /** that container's uuid when it has one: /explain tells apart by it the notes of containers whose
   * (cut) names are the same; left out of /routes, where a long uuid would repeat in every note */
  uuid?: string;
  code: NoteCode;
  reason: string;
  /** the key a `host-owned` or `host-conflict` note is about: the `hosts` name refused (as claimed, `*.`
   * included), or the key lost (path included); what /explain?host= looks its notes up by */
  host?: string;
}

// A labelled container that is not routed, and why; `route: "tcp"` when its TCP label is refused (the
// HTTP route has no such field).
export interface SkippedContainer extends ContainerRef {
  code: ContainerSkipCode;
  reason: string;
  route?: "tcp";
}

// An alias that gets no host line, and why.
export interface SkippedAlias {
  alias: string;
  stack: string;
  code: AliasSkipCode;
  reason: string;
}

// Sizes of the snapshot and of the result, for logs and metrics.
export interface RoutingCounts {
  containers: number;
  labelled: number;
  routed: number;
  skipped: number;
  unlabelled: number;
  /** stacks' (HTTP) backends */
  backends: number;
  /** TCP services' `tcp_<port>` backends */
  tcpBackends: number;
  hosts: number;
  skippedAliases: number;
  /** route notes past MAX_ROUTE_NOTES of their code: counted, not kept */
  notesDropped: number;
}

// Everything one metadata snapshot means for HAProxy; every list is sorted, so equal input gives an equal table.
export interface RoutingTable {
  hosts: HostRoute[];
  backends: Backend[];
  skipped: SkippedContainer[];
  skippedAliases: SkippedAlias[];
  /** option fallbacks, disagreements and refused host claims, sorted: at most MAX_ROUTE_NOTES of each
   * code, and a `note-limit` note for each code past it */
  notes: RouteNote[];
  /** how many notes of each code the model made, kept or not (codes with none are absent) */
  noteTotals: ReadonlyMap<NoteCode, number>;
  /** containers without the routing label or the TCP one: not routed, not an error (kept for explain) */
  unlabelled: ContainerRef[];
  counts: RoutingCounts;
}
