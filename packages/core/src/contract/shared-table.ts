// The routing table as it crosses the shared volume: what domain.map and haproxy-backends.cfg hold, and
// nothing else. The generator's model extends these types; the reloader gets them back from the parser.

// The PROXY protocol options a server line may end with (the only server option today).
export const PROXY_OPTIONS = [
  "send-proxy",
  "send-proxy-v2",
  "send-proxy-v2-ssl",
  "send-proxy-v2-ssl-cn",
] as const;
export type ProxyOption = (typeof PROXY_OPTIONS)[number];

// One `server` line of a backend: `server <name> <ipv4>:<port>[ <proxy option>]`.
export interface SharedServer {
  /** `<service>-<uuid>`, see isServerName */
  name: string;
  /** an IPv4 address, see isIPv4 */
  address: string;
  /** 1-65535 */
  port: number;
  /** absent: no PROXY protocol */
  proxy?: ProxyOption;
  /** ` check inter 2s fall 3 rise 2`: HAProxy's own health check (the backend's `check` path) */
  check?: true;
  /** ` maxconn <n>`: 1-MAX_SERVER_MAXCONN, queueing beyond */
  maxconn?: number;
  /** ` cookie <v>`: the sticky cookie value, see isCookieValue */
  cookie?: string;
}

// The balance algorithms a backend may name (absent: HAProxy's roundrobin).
export const BALANCE_ALGORITHMS = ["roundrobin", "leastconn", "source", "random"] as const;
export type BalanceAlgorithm = (typeof BALANCE_ALGORITHMS)[number];

// Per-backend options from labels (issue 13), each rendered as one fixed line form (render-backends.ts);
// absent or {}: the block of today, byte for byte.
export interface BackendOptions {
  balance?: BalanceAlgorithm;
  /** `cookie rh_sticky insert indirect nocache`; the servers carry their `cookie` values */
  sticky?: true;
  /** `option httpchk GET <path>`, a check path (isCheckPath) */
  check?: string;
  /** `timeout server <d>` and `timeout tunnel <d>`, durations (parseDuration) */
  timeoutServer?: string;
  timeoutTunnel?: string;
  /** plain HTTP is redirected (301 GET/HEAD, 308 others) or refused with 403 */
  https?: "redirect" | "only";
  /** `Strict-Transport-Security: max-age=<n>` on HTTPS answers, 0-MAX_HSTS_SECONDS */
  hsts?: number;
  /** a path prefix (isPathPrefix) removed before forwarding: `/api/x` -> `/x`, `/api` -> `/` */
  stripPath?: string;
}

// One backend block: a backend name (isBackendName, mode http) or `tcp_<port>` (a TCP service,
// `mode: "tcp"`), and its servers, sorted by name in the file.
export interface SharedBackend {
  name: string;
  /** "tcp" exactly when the name is `tcp_<port>` (see parseTcpBackendName); absent: mode http */
  mode?: "tcp";
  servers: SharedServer[];
  /** absent: no option line (a present {} is not produced by the parser) */
  options?: BackendOptions;
}

// Whether `backends` carry exactly `names`, in this order: a table whose backend names did not change
// (the parser reuses its map then; the reloader's TCP-port report skips it).
export function hasBackendNames(names: readonly string[], backends: readonly SharedBackend[]): boolean {
  if (names.length !== backends.length) return false;
  for (let index = 0; index < names.length; index++) if (names[index] !== backends[index]?.name) return false;
  return true;
}

// One domain.map line: a key (isMapKey: `[*.]<dns name>[/<segment>...]`) and the backend it goes to.
export interface MapEntry {
  fqdn: string;
  backend: string;
}

// Both files as one value: parse(render(table)) deep-equals table when its lists are sorted.
export interface SharedTable {
  hosts: MapEntry[];
  backends: SharedBackend[];
}

// One reason a shared file is refused; `line` is 1-based (null: the whole file), `text` that line, cut.
export interface FileProblem {
  file: "backends" | "map";
  line: number | null;
  text: string | null;
  reason: string;
  /** "unsettled": the map names a backend the backends file does not declare (yet): a writer between its
   * two renames, or one that died there; a reader should look again rather than refuse */
  kind?: "unsettled";
}
