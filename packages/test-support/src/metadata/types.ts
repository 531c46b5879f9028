// Shapes of the data the stand-in metadata server serves. Deliberately loose: the stand-in serves
// whatever it is given (hostile values included, for fuzz tests), so every object keeps an index signature.

// A Rancher host as /hosts and /self/host give it.
export interface Host {
  agent_ip?: string | null;
  hostId?: number;
  hostname?: string | null;
  name?: string | null;
  uuid?: string | null;
  labels?: Record<string, unknown> | null;
  [key: string]: unknown;
}

// A container as /containers gives it (2015-12-19 shape).
export interface Container {
  name?: string | null;
  uuid?: string | null;
  primary_ip?: string | null;
  ips?: unknown[] | null;
  ports?: unknown[] | null;
  labels?: Record<string, unknown> | null;
  state?: string | null;
  health_state?: string | null;
  host_uuid?: string | null;
  service_name?: string | null;
  service_uuid?: string | null;
  stack_name?: string | null;
  stack_uuid?: string | null;
  [key: string]: unknown;
}

// A service (one per launch config: a sidekick has its own object with its primary's uuid).
export interface Service {
  name?: string | null;
  uuid?: string | null;
  stack_name?: string | null;
  stack_uuid?: string | null;
  labels?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  containers?: unknown[] | null;
  sidekicks?: unknown[] | null;
  [key: string]: unknown;
}

// A stack with its services embedded.
export interface Stack {
  name?: string | null;
  uuid?: string | null;
  services?: unknown[] | null;
  [key: string]: unknown;
}

// A managed network (ipsec etc.).
export interface Network {
  name?: string | null;
  uuid?: string | null;
  [key: string]: unknown;
}

// One API version's environment tree: what GET /<version> returns, minus `self` (computed per client).
// `defaultHost` is not served as a key: it is the host the "default" answers give as self.host
// to a client IP that matches no container. `version` is always overwritten with the server's version.
export interface Tree {
  containers?: Container[] | unknown;
  services?: Service[] | unknown;
  stacks?: Stack[] | unknown;
  hosts?: Host[] | unknown;
  networks?: Network[] | unknown;
  name?: string | null;
  uuid?: string | null;
  region_name?: string | null;
  version?: string;
  defaultHost?: Host | null;
  [key: string]: unknown;
}

// A fault the stand-in injects into every matching request until cleared with setFault(null).
export type MetadataFault =
  | { kind: "refuse" }
  | { kind: "status-500"; body?: string }
  | { kind: "containers-404" }
  | { kind: "slow"; delayMs?: number }
  | { kind: "cut" }
  | { kind: "invalid-json"; body?: string }
  /** /containers answers its list with one more entry that is not JSON (the others are), other paths as usual */
  | { kind: "invalid-entry" }
  | { kind: "wrong-shape" }
  | { kind: "empty-body" }
  | { kind: "version-churn" }
  | { kind: "longpoll-hang" }
  /** /containers answers 200 with a chunked JSON list that never ends (until the client goes away) */
  | { kind: "endless-containers" };

// How arrays built from Go maps (containers, services, stacks, hosts, networks) are ordered.
export type ShuffleMode = "per-reload" | "per-request" | "none";

// One request as the stand-in saw it.
export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  clientIp: string;
  longPoll: boolean;
  startedAt: number;
  status?: number;
  durationMs?: number;
}
