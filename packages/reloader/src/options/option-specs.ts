// Every flag of `reloader`, its environment variable and default: the one table the CLI, the parser
// and the README are built from.

// One option: `--flag`, the variable that sets it when the flag is absent, and the default text.
export interface OptionSpec {
  flag: string;
  env: string | null;
  default: string | null;
  describe: string;
}

// The table, in README order.
export const OPTION_SPECS = [
  { flag: "haproxy-bin", env: "HAPROXY_BIN", default: "haproxy", describe: "HAProxy executable" },
  {
    flag: "haproxy-config",
    env: "HAPROXY_CONFIG",
    default: null,
    describe:
      "where a copy of the rendered base config is written for reference (credentials masked, never read back)",
  },
  {
    flag: "config",
    env: "HAPROXY_USER_CONFIG",
    default: null,
    describe: "your own base config (trusted), read once at start and used as is instead of the rendered one",
  },
  {
    flag: "backend-config",
    env: "HAPROXY_BACKEND_CONFIG",
    default: "/usr/local/etc/haproxy/haproxy-backends.cfg",
    describe: "backends written by generate-maps",
  },
  {
    flag: "domain-map",
    env: "HAPROXY_DOMAIN_MAP",
    default: "/usr/local/etc/haproxy/domain.map",
    describe: "host → backend map written by generate-maps",
  },
  {
    flag: "state-dir",
    env: "RELOADER_STATE_DIR",
    default: "/var/run/rancher-haproxy",
    describe: "config snapshots, master and admin sockets",
  },
  {
    flag: "bind-address",
    env: "BIND_ADDRESS",
    default: "",
    describe: "address HAProxy listens on (empty: all)",
  },
  { flag: "http-port", env: "HTTP_PORT", default: "80", describe: "HTTP frontend port" },
  {
    flag: "https-port",
    env: "HTTPS_PORT",
    default: "443",
    describe: "HTTPS frontend port (with ENABLE_SSL)",
  },
  { flag: "enable-ssl", env: "ENABLE_SSL", default: "false", describe: "terminate TLS on the HTTPS port" },
  {
    flag: "ssl-cert",
    env: "HAPROXY_SSL_CERT",
    default: null,
    describe:
      "combined certificate + key PEM (trusted, read at start); default: built from metadata into <state>/server.pem",
  },
  {
    flag: "ssl-base64-encoded",
    env: "SSL_BASE64_ENCODED",
    default: "false",
    describe: "metadata ssl_cert/ssl_key are base64 encoded",
  },
  {
    flag: "enable-ssl-redirection",
    env: "ENABLE_SSL_REDIRECTION",
    default: "false",
    describe: "redirect plain HTTP to HTTPS (with ENABLE_SSL)",
  },
  {
    flag: "ssl-redirection-type",
    env: "SSL_REDIRECTION_TYPE",
    default: "301",
    describe: "redirect status: 301, 302, 303, 307 or 308",
  },
  {
    flag: "enable-stats",
    env: "ENABLE_STATS",
    default: "false",
    describe: "stats page and Prometheus /metrics on the stats port",
  },
  { flag: "stats-port", env: "STATS_PORT", default: "1936", describe: "stats port" },
  { flag: "stats-username", env: "STATS_USERNAME", default: "haproxy", describe: "stats basic-auth user" },
  {
    flag: "stats-password",
    env: "STATS_PASSWORD",
    default: "haproxy",
    describe: "stats basic-auth password",
  },
  {
    flag: "stats-allow-default-password",
    env: "STATS_ALLOW_DEFAULT_PASSWORD",
    default: "false",
    describe: "allow haproxy/haproxy stats credentials",
  },
  {
    flag: "maxconn",
    env: "MAXCONN",
    default: null,
    describe: "HAProxy's global maxconn (default: 20000, lowered to the fd hard limit minus 1000)",
  },
  {
    flag: "syslog-host",
    env: "SYSLOG_HOST",
    default: null,
    describe: "syslog target host[:port] or `stdout` (default: metadata self/host/agent_ip, else stdout)",
  },
  { flag: "syslog-facility", env: "SYSLOG_FACILITY", default: "daemon", describe: "syslog facility" },
  {
    flag: "rancher-api-host",
    env: "RANCHER_API_HOST",
    default: "rancher-metadata.rancher.internal",
    describe: "metadata service host[:port]",
  },
  {
    flag: "rancher-api-version",
    env: "RANCHER_API_VERSION",
    default: "2015-12-19",
    describe: "metadata API version",
  },
  {
    flag: "hard-stop-after",
    env: "HARD_STOP_AFTER",
    default: "30s",
    describe: "how long old workers may finish in-flight requests after a reload",
  },
  {
    flag: "debounce-ms",
    env: "RELOADER_DEBOUNCE_MS",
    default: "200",
    describe: "quiet time after a file change before checking",
  },
  {
    flag: "stop-timeout",
    env: "RELOADER_STOP_TIMEOUT",
    default: "30s",
    describe: "graceful stop bound on SIGTERM/SIGINT",
  },
  {
    flag: "rescan-interval",
    env: "RELOADER_RESCAN_INTERVAL",
    default: "10s",
    describe: "re-hash the inputs this often in case an event was missed (0: never)",
  },
  {
    flag: "reload-timeout",
    env: "RELOADER_RELOAD_TIMEOUT",
    default: "10s",
    describe: "how long to wait for a reload (or start) to be confirmed",
  },
  {
    flag: "max-restarts",
    env: "RELOADER_MAX_RESTARTS",
    default: "10",
    describe: "consecutive failed HAProxy starts before giving up (exit 1)",
  },
  {
    flag: "status-port",
    env: "STATUS_PORT",
    default: "9102",
    describe: "port of the status listener (/healthz, /metrics, /config); 0: any free port; off: none",
  },
  {
    flag: "status-bind",
    env: "STATUS_BIND",
    default: "127.0.0.1",
    describe: "address the status listener binds to (the image sets 0.0.0.0)",
  },
  {
    flag: "status-token",
    env: "STATUS_TOKEN",
    default: null,
    describe: "bearer token the status listener asks for on everything but /healthz (default: none)",
  },
  {
    flag: "log-level",
    env: "LOG_LEVEL",
    default: "info",
    describe: "fatal, error, warn, info, debug, trace or silent",
  },
  {
    flag: "log-format",
    env: "LOG_FORMAT",
    default: null,
    describe: "json or pretty (default: pretty on a TTY)",
  },
] as const satisfies readonly OptionSpec[];

// A flag name of the table.
export type OptionFlag = (typeof OPTION_SPECS)[number]["flag"];

// Raw flag values as yargs gives them (strings; absent flags are undefined).
export type RawFlags = Partial<Record<OptionFlag, string>>;
