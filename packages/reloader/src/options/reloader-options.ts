// The validated options of the reloader: built once at the edge (cli), read everywhere else.
import type { LevelWithSilent } from "pino";
import type {
  ApiVersion,
  LogFormat,
  StatusSettings,
  SyslogFacility,
  SyslogTarget,
} from "@rancher-haproxy/core";
import type { HaproxyEnvironment } from "../model/config-read-words.js";

// An HTTP redirect status HAProxy renders for the http → https redirection.
export type RedirectCode = 301 | 302 | 303 | 307 | 308;

// TLS termination: where the combined PEM lives and whether plain HTTP is redirected.
export interface SslOptions {
  enabled: boolean;
  port: number;
  /** <state>/server.pem: the default certificate HAProxy loads (a checked copy of `certFile`, or built
   * from metadata) */
  certPath: string;
  /** HAPROXY_SSL_CERT: the default certificate's PEM you mount, re-read every poll; null when unset */
  certFile: string | null;
  base64Encoded: boolean;
  redirect: RedirectCode | null;
  /** SSL_CERT_DIR: extra certificates served by SNI, or null */
  certDir: string | null;
  /** STRICT_SNI: no default certificate for an unknown SNI (handshake failure) */
  strictSni: boolean;
  /** CERT_POLL_INTERVAL in ms: how often the certificate sources are re-read (0: only at start,
   * and every 5 s while a certificate waits for HAProxy's check) */
  pollIntervalMs: number;
  /** how messages name ENABLE_SSL (turned on) and HAPROXY_SSL_CERT as the user set them: the flag the
   * command line gave (`--enable-ssl`, `--ssl-cert`), else the variable (`ENABLE_SSL=true`, `HAPROXY_SSL_CERT`) */
  names: { enabled: string; certFile: string };
}

// HAProxy's stats page (and Prometheus exporter at /metrics) on its own port, behind basic auth.
export interface StatsOptions {
  enabled: boolean;
  port: number;
  username: string;
  password: string;
}

// Everything the reloader needs, with absolute paths and typed values.
export interface ReloaderOptions {
  haproxyBin: string;
  /** where a masked copy of the rendered base config is written for reference (HAPROXY_CONFIG), or null */
  haproxyConfig: string | null;
  /** a user's own base config (--config), read once at start and used as is, or null */
  userConfig: string | null;
  backendConfig: string;
  domainMap: string;
  stateDir: string;
  bindAddress: string;
  httpPort: number;
  /** TCP_PORTS: the public ports of TCP services, each a `frontend tcp_<port>` (distinct, no listener's) */
  tcpPorts: number[];
  ssl: SslOptions;
  stats: StatsOptions;
  /** HAProxy's global maxconn (MAXCONN); null: setup/default-maxconn.ts decides */
  maxconn: number | null;
  /** null: ask the metadata service for self/host/agent_ip, falling back to stdout */
  syslogHost: SyslogTarget | null;
  syslogFacility: SyslogFacility;
  rancherApiHost: string;
  rancherApiVersion: ApiVersion;
  hardStopAfterMs: number;
  debounceMs: number;
  stopTimeoutMs: number;
  /** after an uncaught error: stop HAProxy and exit 1, or leave it serving and exit 3 (RELOADER_ON_CRASH) */
  onCrash: "stop-haproxy" | "leave-haproxy";
  rescanIntervalMs: number;
  reloadTimeoutMs: number;
  maxRestarts: number;
  /** apply changes within existing backends through the runtime API (RUNTIME_UPDATES) */
  runtimeUpdates: boolean;
  /** server slots per backend block (SERVER_SLOTS) */
  serverSlots: number;
  /** the status listener: port (null: off, 0: any free port) and bind address */
  status: StatusSettings;
  logLevel: LevelWithSilent;
  logFormat: LogFormat | undefined;
  /** the reloader's environment variables, which HAProxy inherits: a --config's section names and
   * `.if` conditions are read against them (model/config-read-words.ts) */
  environment: HaproxyEnvironment;
}
