// The rows both programs read: the same variable means the same thing, with the same rule, in both.
import type { OptionRow } from "./option-row.js";
import { HOST_PORT, STATUS_BIND, STATUS_PORT, STATUS_TOKEN } from "./network-types.js";
import { API_VERSION, LOG_FORMAT, LOG_LEVEL, PATH, SWITCH } from "./value-types.js";

const BOTH = ["generate-maps", "reloader"] as const;

// Shared options, in help order (see option-table.ts for how to add one).
export const SHARED_OPTION_ROWS = {
  apiHost: {
    flag: "api-host",
    aliases: ["rancher-api-host"],
    env: "RANCHER_API_HOST",
    type: HOST_PORT,
    default: "rancher-metadata.rancher.internal",
    describe: "metadata service host[:port]",
    programs: BOTH,
  },
  apiVersion: {
    flag: "api-version",
    aliases: ["rancher-api-version"],
    env: "RANCHER_API_VERSION",
    type: API_VERSION,
    default: "2015-12-19",
    describe: "metadata API version",
    programs: BOTH,
  },
  domainMap: {
    flag: "domain-map",
    env: "HAPROXY_DOMAIN_MAP",
    type: PATH,
    default: "/usr/local/etc/haproxy/domain.map",
    describe: "host → backend map: generate-maps writes it, the reloader loads it",
    programs: BOTH,
  },
  backends: {
    flag: "backends",
    aliases: ["backend-config"],
    env: "HAPROXY_BACKEND_CONFIG",
    type: PATH,
    default: "/usr/local/etc/haproxy/haproxy-backends.cfg",
    describe: "backends file: generate-maps writes it, the reloader loads it",
    programs: BOTH,
  },
  statusPort: {
    flag: "status-port",
    env: "STATUS_PORT",
    type: STATUS_PORT,
    default: { "generate-maps": "9101", reloader: "9102" },
    describe: {
      "generate-maps": "port of the status listener (/healthz, /metrics, /routes, /explain)",
      reloader: "port of the status listener (/healthz, /metrics, /config)",
    },
    programs: BOTH,
  },
  statusBind: {
    flag: "status-bind",
    env: "STATUS_BIND",
    type: STATUS_BIND,
    default: "127.0.0.1",
    describe: "address the status listener binds to (the image sets 0.0.0.0)",
    programs: BOTH,
  },
  statusToken: {
    flag: "status-token",
    env: "STATUS_TOKEN",
    type: STATUS_TOKEN,
    default: null,
    describe: "bearer token the status listener asks for on everything but /healthz (default: none)",
    programs: BOTH,
    secret: true,
  },
  logLevel: {
    flag: "log-level",
    env: "LOG_LEVEL",
    type: LOG_LEVEL,
    default: "info",
    describe: "log level",
    programs: BOTH,
  },
  logFormat: {
    flag: "log-format",
    env: "LOG_FORMAT",
    type: LOG_FORMAT,
    default: null,
    describe: "log format (default: pretty on a terminal, else json)",
    programs: BOTH,
  },
  help: {
    flag: "help",
    aliases: ["h"],
    env: null,
    type: SWITCH,
    default: "false",
    describe: "show this help and exit",
    programs: BOTH,
  },
  version: {
    flag: "version",
    env: null,
    type: SWITCH,
    default: "false",
    describe: "print the version and exit",
    programs: BOTH,
  },
} as const satisfies Record<string, OptionRow>;
