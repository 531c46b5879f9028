// The rows only the reloader reads: HAProxy, its listeners, TLS, stats, syslog and reload timing.
import {
  BIND_ADDRESS,
  STATS_PASSWORD,
  STATS_USERNAME,
  SYSLOG_FACILITY,
  SYSLOG_HOST,
} from "./network-types.js";
import type { OptionRow } from "./option-row.js";
import {
  BOOLEAN,
  PATH,
  PORT,
  PORT_LIST,
  ON_CRASH,
  REDIRECT_CODE,
  TEXT,
  durationType,
  integerType,
} from "./value-types.js";

const RELOADER = ["reloader"] as const;

// One reloader row: flag, variable, type, default, help text.
function row<T, D extends string | null>(
  flag: string,
  env: string,
  type: OptionRow<T>["type"],
  fallback: D,
  describe: string,
) {
  return { flag, env, type, default: fallback, describe, programs: RELOADER };
}

// The reloader's own options, in help order (see option-table.ts for how to add one).
export const RELOADER_OPTION_ROWS = {
  haproxyBin: row("haproxy-bin", "HAPROXY_BIN", TEXT, "haproxy", "HAProxy executable"),
  haproxyConfig: row(
    "haproxy-config",
    "HAPROXY_CONFIG",
    PATH,
    null,
    "where a copy of the rendered base config is written for reference (credentials masked, never read back)",
  ),
  config: row(
    "config",
    "HAPROXY_USER_CONFIG",
    PATH,
    null,
    "your own base config (trusted), read once at start and used as is instead of the rendered one",
  ),
  stateDir: row(
    "state-dir",
    "RELOADER_STATE_DIR",
    PATH,
    "/var/run/rancher-haproxy",
    "config snapshots, master and admin sockets (at most 85 bytes, no comma or `$`; with ENABLE_SSL only `[A-Za-z0-9._/@:+-]`)",
  ),
  bindAddress: row(
    "bind-address",
    "BIND_ADDRESS",
    BIND_ADDRESS,
    "",
    // `bind :<port>` is IPv4 only to HAProxy; `bind [::]:<port>` takes IPv4 too (net.ipv6.bindv6only=0)
    "address HAProxy listens on (empty: every IPv4 address; `::`: every IPv4 and IPv6 address)",
  ),
  httpPort: row("http-port", "HTTP_PORT", PORT, "80", "HTTP frontend port"),
  httpsPort: row("https-port", "HTTPS_PORT", PORT, "443", "HTTPS frontend port (with ENABLE_SSL)"),
  enableSsl: row("enable-ssl", "ENABLE_SSL", BOOLEAN, "false", "terminate TLS on the HTTPS port"),
  sslCert: row(
    "ssl-cert",
    "HAPROXY_SSL_CERT",
    PATH,
    null,
    "combined certificate + key PEM you mount (trusted): checked and copied into <state>/server.pem at start and whenever it changes (CERT_POLL_INTERVAL); built from metadata when it does not exist. Default: built from metadata into <state>/server.pem",
  ),
  sslBase64Encoded: row(
    "ssl-base64-encoded",
    "SSL_BASE64_ENCODED",
    BOOLEAN,
    "false",
    "metadata ssl_cert/ssl_key are base64 encoded",
  ),
  sslCertDir: row(
    "ssl-cert-dir",
    "SSL_CERT_DIR",
    PATH,
    null,
    "directory of extra certificates served by SNI: <name>.pem (chain + key) or <name>.crt + <name>.key",
  ),
  strictSni: row(
    "strict-sni",
    "STRICT_SNI",
    BOOLEAN,
    "false",
    "refuse the TLS handshake when no certificate matches the SNI (instead of the default certificate)",
  ),
  certPollInterval: row(
    "cert-poll-interval",
    "CERT_POLL_INTERVAL",
    durationType(3_600_000),
    "5s",
    "re-read the certificates (metadata certs/ssl_cert, SSL_CERT_DIR, HAPROXY_SSL_CERT) this often (0: only at start, and every 5s while HAProxy could not check one)",
  ),
  enableSslRedirection: row(
    "enable-ssl-redirection",
    "ENABLE_SSL_REDIRECTION",
    BOOLEAN,
    "false",
    "redirect plain HTTP to HTTPS (with ENABLE_SSL)",
  ),
  sslRedirectionType: row(
    "ssl-redirection-type",
    "SSL_REDIRECTION_TYPE",
    REDIRECT_CODE,
    "301",
    "redirect status",
  ),
  tcpPorts: row(
    "tcp-ports",
    "TCP_PORTS",
    PORT_LIST,
    "",
    "public ports HAProxy listens on for TCP services (map-public-tcp), e.g. 5432,6379 (empty: none)",
  ),
  enableStats: row(
    "enable-stats",
    "ENABLE_STATS",
    BOOLEAN,
    "false",
    "stats page and Prometheus /metrics on the stats port",
  ),
  statsPort: row("stats-port", "STATS_PORT", PORT, "1936", "stats port"),
  statsUsername: row("stats-username", "STATS_USERNAME", STATS_USERNAME, "haproxy", "stats basic-auth user"),
  statsPassword: {
    ...row("stats-password", "STATS_PASSWORD", STATS_PASSWORD, "haproxy", "stats basic-auth password"),
    secret: true,
  },
  statsAllowDefaultPassword: row(
    "stats-allow-default-password",
    "STATS_ALLOW_DEFAULT_PASSWORD",
    BOOLEAN,
    "false",
    "allow the default stats password haproxy (refused by default, whatever the username)",
  ),
  maxconn: row(
    "maxconn",
    "MAXCONN",
    integerType(1, 1_000_000),
    null,
    "HAProxy's global maxconn (default: 20000, lowered to the fd hard limit minus 1000, at least 256)",
  ),
  syslogHost: row(
    "syslog-host",
    "SYSLOG_HOST",
    SYSLOG_HOST,
    null,
    "syslog target host[:port] or `stdout` (default: metadata self/host/agent_ip when it is a host's IP address, else stdout)",
  ),
  syslogFacility: row("syslog-facility", "SYSLOG_FACILITY", SYSLOG_FACILITY, "daemon", "syslog facility"),
  hardStopAfter: row(
    "hard-stop-after",
    "HARD_STOP_AFTER",
    // at least 1ms: HAProxy reads `hard-stop-after 0ms` as no hard stop at all (old workers live on)
    durationType(86_400_000, 1),
    "30s",
    "how long old workers may finish in-flight requests after a reload",
  ),
  debounceMs: row(
    "debounce-ms",
    "RELOADER_DEBOUNCE_MS",
    integerType(0, 60_000),
    "200",
    "a file change is checked at once (10 ms settle); after this quiet time (ms, at least 60) they are read again",
  ),
  stopTimeout: row(
    "stop-timeout",
    "RELOADER_STOP_TIMEOUT",
    durationType(3_600_000),
    "30s",
    "bound of the whole graceful stop on SIGTERM/SIGINT/SIGHUP (a change being applied gets at most half), then SIGTERM to HAProxy and SIGKILL 3 s later (the image sets 6s, to end within Docker's 10 s stop grace)",
  ),
  onCrash: row(
    "on-crash",
    "RELOADER_ON_CRASH",
    ON_CRASH,
    "stop-haproxy",
    "after an uncaught error: stop HAProxy gracefully and exit 1, or leave it serving and exit 3 for a supervisor that starts the reloader again to adopt it (the image's entrypoint sets leave-haproxy; an error during the reloader's own start always stops)",
  ),
  rescanInterval: row(
    "rescan-interval",
    "RELOADER_RESCAN_INTERVAL",
    durationType(3_600_000),
    "10s",
    "re-hash the inputs this often in case an event was missed (0: never)",
  ),
  reloadTimeout: row(
    "reload-timeout",
    "RELOADER_RELOAD_TIMEOUT",
    // at least 1s: a reload takes a few hundred ms (0 failed every start "within 0 ms": exit 1)
    durationType(600_000, 1000),
    "10s",
    "how long to wait for a reload (or start) to be confirmed",
  ),
  runtimeUpdates: row(
    "runtime-updates",
    "RUNTIME_UPDATES",
    BOOLEAN,
    "true",
    "apply container and domain.map changes within existing backends through HAProxy's runtime API, without a reload (false: every change reloads)",
  ),
  serverSlots: row(
    "server-slots",
    "SERVER_SLOTS",
    integerType(1, 1000),
    "10",
    "server slots per backend block: a backend holds a multiple of this many servers, free ones disabled; running out grows it by one block (a reload); inputs needing more than 1 000 000 slots in all are refused",
  ),
  maxRestarts: row(
    "max-restarts",
    "RELOADER_MAX_RESTARTS",
    integerType(1, 1000),
    "10",
    "consecutive failed HAProxy starts before giving up (exit 1)",
  ),
} as const satisfies Record<string, OptionRow>;
