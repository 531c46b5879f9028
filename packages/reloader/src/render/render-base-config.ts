// The base haproxy.cfg, rendered from validated options: pure text, same options → same bytes.
import { tcpBackendName, type SyslogFacility, type SyslogTarget } from "@rancher-haproxy/core";
import { DEFAULT_MAXCONN, type BaseConfigInput } from "./base-config-input.js";
import { renderBindAddress, renderConfigPath, renderHost } from "./config-words.js";
import { renderHttpFrontend, renderHttpsFrontend, renderStats } from "./render-frontends.js";
import { NO_ROUTE_BACKEND } from "./render-routing-rules.js";
import { renderTcpFrontend } from "./render-tcp-frontend.js";

// Mozilla's "intermediate" TLS 1.2 ciphers (ECDHE only: no DH parameters needed) and TLS 1.3 suites.
export const TLS12_CIPHERS =
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
export const TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

const INDENT = "    ";

// Render the whole base config; the generated backends file is loaded after it (-f base -f backends).
export function renderBaseConfig(input: BaseConfigInput): string {
  const sections = [
    [
      "# Rendered by the rancher-haproxy reloader from its options into its private state dir at each",
      "# start; it is never read from the shared volume. Pass --config to use your own file instead.",
      "# Load order: haproxy -f haproxy.cfg -f backends.cfg (haproxy-backends.cfg in stable server slots);",
      "# domain.map and path-hosts.map are read from this directory.",
    ],
    section("global", renderGlobal(input)),
    section("defaults", renderDefaults()),
    section("frontend rh_http", renderHttpFrontend(input)),
  ];
  if (input.https) sections.push(section("frontend rh_https", renderHttpsFrontend(input, input.https)));
  for (const port of input.tcpPorts ?? [])
    sections.push(
      section(
        `frontend ${tcpBackendName(port)}`,
        renderTcpFrontend(renderBindAddress(input.bindAddress, port), port),
      ),
    );
  if (input.stats) {
    sections.push(section("listen rh_stats", renderStats(input, input.stats.port)));
    sections.push(
      section("userlist rh_stats_users", [
        `user ${input.stats.username} insecure-password ${input.stats.password}`,
      ]),
    );
  }
  sections.push(
    section(`backend ${NO_ROUTE_BACKEND}`, [
      'http-request return status 503 content-type text/plain string "no route for this host"',
    ]),
  );
  return sections.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}

function section(header: string, body: string[]): string[] {
  return [header, ...body.map((line) => INDENT + line)];
}

function renderLog(log: SyslogTarget, facility: SyslogFacility): string {
  if (log.kind === "stdout") return "log stdout format raw local0";
  const host = renderHost(log.host);
  return `log ${log.port === null ? host : `${host}:${log.port}`} ${facility}`;
}

function renderGlobal(input: BaseConfigInput): string[] {
  const lines = [
    "# relative paths (domain.map, path-hosts.map) resolve against this file's directory",
    "default-path config",
    renderLog(input.log, input.facility),
    "# runtime API for later fast paths; expose-fd lets `haproxy -x` take the listeners over",
    `stats socket ${renderConfigPath(input.adminSocket)} mode 600 level admin expose-fd listeners`,
    "stats timeout 30s",
    "# old workers finish in-flight requests after a reload, within this bound (no mworker-max-reloads:",
    "# refused reloads count on the serving worker too, and past the limit a good reload killed it)",
    `hard-stop-after ${input.hardStopAfterMs}ms`,
    "# an explicit bound: derived from the fd limit it is ~10 000 here and ~500 000 under Docker; an idle",
    "# client holds one fd, so start (with a warning) when the fd limit is below 2 x maxconn",
    `maxconn ${input.maxconn ?? DEFAULT_MAXCONN}`,
    "no strict-limits",
    "# the internal httpclient is unused: do not load the CA store on every start and check",
    "httpclient.ssl.verify none",
    "# no pattern LRU cache: the routing's map_str lookups are tree lookups it cannot speed up, yet each",
    "# miss (path-hosts.map, wildcard and parent keys) and the Host check's regex went through it, a",
    "# per-thread cache that grows with the number of distinct hosts (up to 10 000 entries)",
    "tune.pattern.cache-size 0",
  ];
  if (input.runAs)
    lines.push(
      "# the workers (all traffic) drop root once the ports are bound; the master keeps it to reload",
      `user ${input.runAs.user}`,
      `group ${input.runAs.group}`,
    );
  if (input.https)
    lines.push(
      "# TLS >= 1.2 with Mozilla's intermediate ciphers",
      "ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets",
      `ssl-default-bind-ciphers ${TLS12_CIPHERS}`,
      `ssl-default-bind-ciphersuites ${TLS13_SUITES}`,
    );
  return lines;
}

function renderDefaults(): string[] {
  return [
    "mode http",
    "log global",
    "option httplog",
    "option dontlognull",
    "option redispatch",
    "retries 3",
    "timeout connect 5s",
    "timeout client 50s",
    "timeout server 50s",
    "# WebSocket and other upgraded connections, and long polls: idle up to 1 h (a stack's timeout-tunnel label overrides)",
    "timeout tunnel 1h",
    "timeout http-keep-alive 10s",
    "timeout http-request 10s",
  ];
}
