// Every value option with its flag, its environment variable (the original's names: interfaces, keep
// them) and its default; the help text, the README table and parseOptions all come from this one table.

// One option that takes a value.
export interface ValueOption {
  flag: string;
  env: string;
  default?: string;
  describe: string;
}

// The value options, in help order.
export const VALUE_OPTIONS = [
  {
    flag: "domain",
    env: "STACK_DOMAIN",
    describe: "domain the stacks are served under: <stack>.<domain> (required)",
  },
  {
    flag: "api-host",
    env: "RANCHER_API_HOST",
    default: "rancher-metadata.rancher.internal",
    describe: "metadata service host[:port]",
  },
  {
    flag: "api-version",
    env: "RANCHER_API_VERSION",
    default: "2015-12-19",
    describe: "metadata API version: 2015-12-19, 2016-07-29 or latest",
  },
  {
    flag: "label",
    env: "RANCHER_LABEL",
    default: "map-public-http",
    describe: "container label holding the port to route to",
  },
  {
    flag: "proxy-label",
    env: "RANCHER_PROXY_LABEL",
    default: "send-proxy",
    describe: "container label choosing a PROXY protocol option for its server line",
  },
  {
    flag: "domain-map",
    env: "HAPROXY_DOMAIN_MAP",
    default: "/usr/local/etc/haproxy/domain.map",
    describe: "host -> backend map to write",
  },
  {
    flag: "backends",
    env: "HAPROXY_BACKEND_CONFIG",
    default: "/usr/local/etc/haproxy/haproxy-backends.cfg",
    describe: "backends file to write",
  },
  {
    flag: "interval",
    env: "POLL_INTERVAL",
    default: "10",
    describe: "seconds between full refetches, the safety net of the /version long poll (1-86400)",
  },
  {
    flag: "max-removal-share",
    env: "MAX_REMOVAL_SHARE",
    default: "0.5",
    describe:
      "share (0-1) of the routed containers one cycle may remove at once; more waits for confirmation",
  },
  {
    flag: "removal-confirm-seconds",
    env: "REMOVAL_CONFIRM_SECONDS",
    default: "30",
    describe:
      "seconds a larger removal must stay the same before it is written (0-86400; 0 disables the guard)",
  },
  {
    flag: "status-port",
    env: "STATUS_PORT",
    default: "9101",
    describe:
      "port of the status listener (/healthz, /metrics, /routes, /explain); 0: any free port; off: none",
  },
  {
    flag: "status-bind",
    env: "STATUS_BIND",
    default: "127.0.0.1",
    describe: "address the status listener binds to (the image sets 0.0.0.0)",
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
    describe: "json or pretty (default: pretty on a terminal, else json)",
  },
] as const satisfies readonly ValueOption[];

// The flag names of the value options.
export type ValueFlag = (typeof VALUE_OPTIONS)[number]["flag"];

// Options that take a value but have no environment variable: one-shot questions, not settings.
export const QUERY_OPTIONS = {
  explain:
    "read metadata once, write nothing, and say why a container (name or uuid) or a host is routed or not; " +
    "exit 0 found, 1 metadata unreadable, 3 no such container or host",
} as const;

// The switches (no value, no environment variable).
export const SWITCHES = {
  once: "run one cycle, write the files, exit 0 (1 if metadata could not be read)",
  "dry-run": "like --once, but print both files to stdout and write nothing",
  json: "with --explain: print the explanation as JSON",
  help: "show this help",
} as const;
