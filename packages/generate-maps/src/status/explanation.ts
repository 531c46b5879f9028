// The shape of an answer to "why is this container or host routed, or not": built from the routing
// table only (the model's own skips), so explain never re-implements a routing rule.
import type { AliasSkipCode, ContainerSkipCode } from "../model/reasons.js";
import type { SkippedAlias } from "../model/routing-table.js";

// What was asked: a container (name or uuid), a host (fqdn, or a bare stack/alias name), or either.
export interface ExplainQuery {
  by: "container" | "host" | "any";
  value: string;
}

// One server line, as HAProxy gets it.
export interface ServerView {
  name: string;
  address: string;
  port: number;
  proxy: string | null;
}

// One container: routed (with its backend, server and hosts), skipped (code, reason), or unlabelled.
export interface ContainerExplanation {
  kind: "container";
  container: string;
  uuid: string | null;
  stack: string | null;
  status: "routed" | "skipped" | "unlabelled";
  code: ContainerSkipCode | null;
  reason: string;
  /** what the code means in general (SKIP_CODES), null when routed or unlabelled */
  meaning: string | null;
  backend: string | null;
  server: ServerView | null;
  hosts: string[];
  /** set only when `hosts` is left out ([]) past the answer's host budget: how many hosts reach it */
  hostCount?: number;
  /** "tcp" for the route of its TCP label (a `tcp_<port>` server, or that label's skip); absent for the
   * HTTP route: a container with both labels has one entry per route */
  route?: "tcp";
}

// One host: routed (directly, as an alias, or through a parent name) or not, and the containers and
// aliases of that name that are not routed, with their reasons.
export interface HostExplanation {
  kind: "host";
  host: string;
  status: "routed" | "not-routed";
  source: "stack" | "alias" | "hosts" | "wildcard" | "parent" | null;
  backend: string | null;
  /** the mapped parent name when routed as a sub-domain of it */
  via: string | null;
  reason: string;
  servers: ServerView[];
  /** containers of the stack behind this name that are not routed */
  notRouted: ContainerExplanation[];
  aliases: (SkippedAlias & { meaning: string; code: AliasSkipCode })[];
  /** how many of each list were left out: at most MAX_HOST_LIST of each are given (?container= tells one) */
  left: { servers: number; notRouted: number; aliases: number };
}

// The whole answer; `found` is false when nothing in metadata is called that (exit 3, HTTP 404).
export interface Explanation {
  query: ExplainQuery;
  found: boolean;
  version: string;
  domain: string;
  matches: (ContainerExplanation | HostExplanation)[];
  /** what else the reader needs: nothing found, or a removal hold keeping the previous files */
  notes: string[];
  /** how many were left out: containers matching the query past MAX_EXPLAIN_CONTAINERS (routed ones are
   * given first; ask for one by uuid), notes on the matches past MAX_EXPLAIN_NOTES */
  left: { containers: number; notes: number };
}
