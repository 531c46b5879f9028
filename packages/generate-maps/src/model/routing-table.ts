// The model's output: everything routed, and everything not routed with the reason why.
import type { AliasSkipCode, ContainerSkipCode } from "./reasons.js";

// The PROXY protocol options a container may ask for with the proxy label.
export const PROXY_OPTIONS = [
  "send-proxy",
  "send-proxy-v2",
  "send-proxy-v2-ssl",
  "send-proxy-v2-ssl-cn",
] as const;
export type ProxyOption = (typeof PROXY_OPTIONS)[number];

// What the model reads: one metadata snapshot, already checked for shape by the source.
export interface MetadataInput {
  /** the /containers list; entries that are not objects are skipped by the model */
  containers: readonly unknown[];
  /** /self/service/metadata/aliases: stack name -> list of alias names ({} when there are none) */
  aliases: unknown;
}

// The model's settings (validated options).
export interface ModelOptions {
  /** lower-case DNS name, e.g. dev.tld */
  domain: string;
  /** the label whose value is the container's port, e.g. map-public-http */
  label: string;
  /** the label that asks for a PROXY protocol option, e.g. send-proxy */
  proxyLabel: string;
  /** CIDRs a container address must be in (undefined: any address except the special ranges) */
  backendNetworks?: readonly string[] | undefined;
}

// How a container is named in logs and reports (stack null: standalone or unreadable).
export interface ContainerRef {
  container: string;
  uuid: string | null;
  stack: string | null;
}

// One line of domain.map: a host name and the backend it goes to.
export interface HostRoute {
  fqdn: string;
  backend: string;
  source: "stack" | "alias";
}

// One server line of a backend.
export interface Server {
  /** `<service>-<uuid>`, lower case */
  name: string;
  address: string;
  port: number;
  proxy?: ProxyOption;
  container: string;
  uuid: string;
}

// One backend block: a routed stack and its servers, sorted by name.
export interface Backend {
  name: string;
  servers: Server[];
}

// A labelled container that is not routed, and why.
export interface SkippedContainer extends ContainerRef {
  code: ContainerSkipCode;
  reason: string;
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
  backends: number;
  hosts: number;
  skippedAliases: number;
}

// Everything one metadata snapshot means for HAProxy; every list is sorted, so equal input gives an equal table.
export interface RoutingTable {
  hosts: HostRoute[];
  backends: Backend[];
  skipped: SkippedContainer[];
  skippedAliases: SkippedAlias[];
  /** containers without the routing label: not routed, not an error (kept for explain) */
  unlabelled: ContainerRef[];
  counts: RoutingCounts;
}
