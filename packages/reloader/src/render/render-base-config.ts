// The base haproxy.cfg, rendered from validated options: pure text, same options → same bytes.
import { tcpBackendName, type SyslogFacility, type SyslogTarget } from "@rancher-haproxy/core";
import type { RedirectCode } from "../options/reloader-options.js";
import { NO_ROUTE_BACKEND, renderHostCheck, renderRoutingRules } from "./render-routing-rules.js";
import { renderTcpFrontend } from "./render-tcp-frontend.js";

// What the base config depends on (the options, with the syslog target already resolved).
export interface BaseConfigInput {
  bindAddress: string;
  httpPort: number;
  /** TCP_PORTS: one `frontend tcp_<port>` each, in this order (absent: none) */
  tcpPorts?: readonly number[];
  https: HttpsInput | null;
  stats: { port: number; username: string; password: string } | null;
  log: SyslogTarget;
  facility: SyslogFacility;
  /** absolute path of the admin (runtime API) socket */
  adminSocket: string;
  hardStopAfterMs: number;
  /** global maxconn (default DEFAULT_MAXCONN): never derived by HAProxy from the fd limit */
  maxconn?: number;
  /** the account the workers drop to after binding (`user`/`group`); absent or null: no change */
  runAs?: { user: string; group: string } | null;
}

// The HTTPS listener: the default certificate, the crt-list of the others (SNI), strict SNI.
export interface HttpsInput {
  port: number;
  /** the default certificate: served when no other matches the SNI (or no SNI is sent) */
  certPath: string;
  redirect: RedirectCode | null;
  /** the crt-list of the certificates selected by SNI (<state>/certs/crt-list), or none */
  crtList?: string | null;
  /** refuse the handshake when no certificate matches the SNI */
  strictSni?: boolean;
}

// Mozilla's "intermediate" TLS 1.2 ciphers (ECDHE only: no DH parameters needed) and TLS 1.3 suites.
export const TLS12_CIPHERS =
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
  "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
export const TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// The maxconn rendered when the input has none (setup/default-maxconn.ts fits it to the fd limit).
export const DEFAULT_MAXCONN = 20_000;

const INDENT = "    ";

// Render the whole base config; the generated backends file is loaded after it (-f base -f backends).
export function renderBaseConfig(input: BaseConfigInput): string {
  const sections = [
    [
      "# Rendered by the rancher-haproxy reloader from its options into its private state dir at each",
      "# start; it is never read from the shared volume. Pass --config to use your own file instead.",
      "# Load order: haproxy -f haproxy.cfg -f haproxy-backends.cfg; domain.map and path-hosts.map are read",
      "# from this directory.",
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

// The `bind` address part: all addresses, an IPv4 or a bracketed IPv6 address, then the port.
export function renderBindAddress(address: string, port: number): string {
  if (address === "") return `:${port}`;
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

// A file path as one haproxy.cfg word: as is when plain, else in single quotes (no expansion inside;
// the option table refuses quotes, backslashes and control characters in paths).
export function renderConfigPath(path: string): string {
  return /^[A-Za-z0-9._/@:,+-]+$/.test(path) ? path : `'${path}'`;
}

function section(header: string, body: string[]): string[] {
  return [header, ...body.map((line) => INDENT + line)];
}

function renderLog(log: SyslogTarget, facility: SyslogFacility): string {
  if (log.kind === "stdout") return "log stdout format raw local0";
  const host = log.host.includes(":") ? `[${log.host}]` : log.host;
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
    "# old workers finish in-flight requests after a reload, within this bound",
    `hard-stop-after ${input.hardStopAfterMs}ms`,
    "mworker-max-reloads 50",
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

// The HTTP-only options of both HTTP frontends (in `defaults` they would be warned about in every TCP
// frontend and backend).
function renderHttpOptions(): string[] {
  return [
    "option forwardfor",
    "# reloads drop no keep-alive request: an old worker answers one more request with Connection: close",
    "option idle-close-on-response",
  ];
}

function renderHttpFrontend(input: BaseConfigInput): string[] {
  const lines = [
    `bind ${renderBindAddress(input.bindAddress, input.httpPort)}`,
    ...renderHttpOptions(),
    ...renderHostCheck(),
  ];
  if (input.https?.redirect)
    lines.push(`http-request redirect scheme https code ${input.https.redirect} unless { ssl_fc }`);
  lines.push("http-request set-header X-Forwarded-Proto http", "http-request set-header X-Real-IP %[src]");
  return [...lines, ...renderRoutingRules()];
}

function renderHttpsFrontend(input: BaseConfigInput, https: HttpsInput): string[] {
  const bind = [
    `bind ${renderBindAddress(input.bindAddress, https.port)} ssl crt ${renderConfigPath(https.certPath)}`,
  ];
  if (https.crtList) bind.push(`crt-list ${renderConfigPath(https.crtList)}`);
  bind.push("alpn h2,http/1.1");
  if (https.strictSni) bind.push("strict-sni");
  return [
    bind.join(" "),
    ...renderHttpOptions(),
    ...renderHostCheck(),
    "http-request set-header X-Forwarded-Proto https",
    "http-request set-header X-Real-IP %[src]",
    ...renderRoutingRules(),
  ];
}

function renderStats(input: BaseConfigInput, port: number): string[] {
  return [
    `bind ${renderBindAddress(input.bindAddress, port)}`,
    'http-request auth realm "HAProxy Statistics" unless { http_auth(rh_stats_users) }',
    "http-request use-service prometheus-exporter if { path /metrics }",
    "stats enable",
    "stats uri /",
    "stats hide-version",
    "stats refresh 10s",
  ];
}
