// The listeners of the base haproxy.cfg (lines without indent): the HTTP and HTTPS frontends, which
// route by the maps, and the stats listener.
import { HTTPS_LOCATION, HTTPS_PORT_VAR } from "@rancher-haproxy/core";
import type { BaseConfigInput, HttpsInput } from "./base-config-input.js";
import { renderBindAddress, renderConfigPath } from "./config-words.js";
import { renderHostCheck, renderRoutingRules } from "./render-routing-rules.js";

// The HTTP-only options of both HTTP frontends (in `defaults` they would be warned about in every TCP
// frontend and backend).
function renderHttpOptions(): string[] {
  return [
    "option forwardfor",
    "# reloads drop no keep-alive request: an old worker answers one more request with Connection: close",
    "option idle-close-on-response",
  ];
}

// `frontend rh_http`: the Host check, the HTTPS port of the redirects, the redirect to HTTPS when asked
// for, forwarded headers, routing.
export function renderHttpFrontend(input: BaseConfigInput): string[] {
  const lines = [
    `bind ${renderBindAddress(input.bindAddress, input.httpPort)}`,
    ...renderHttpOptions(),
    ...renderHostCheck(),
  ];
  // A Host that names a port other than 80 shows a client on other ports than 80/443: the redirects
  // (this one and https=redirect's) send it to HTTPS_PORT; a Host without one or with `:80`, to 443
  // (behind a port mapping such as 443→8443, HTTPS_PORT is not the port a browser on port 80 reaches).
  if (input.https && input.https.port !== 443)
    lines.push(
      `http-request set-var(${HTTPS_PORT_VAR}) str(:${input.https.port}) if { req.fhdr(host),port_only gt 0 } !{ req.fhdr(host),port_only eq 80 }`,
    );
  // Only a request that names a host: without one (HTTP/1.0, an empty Host) the Location was `https:///…`,
  // a URL without a host; such a request goes on to the routing's 503 instead.
  if (input.https?.redirect)
    lines.push(
      `http-request redirect location ${HTTPS_LOCATION} code ${input.https.redirect} if !{ ssl_fc } { req.fhdr(host),host_only -m len gt 0 }`,
    );
  return [...lines, ...renderForwarding("http")];
}

// `frontend rh_https`: TLS with the default certificate and the crt-list (SNI), then as rh_http.
export function renderHttpsFrontend(input: BaseConfigInput, https: HttpsInput): string[] {
  const bind = [
    `bind ${renderBindAddress(input.bindAddress, https.port)} ssl crt ${renderConfigPath(https.certPath)}`,
  ];
  if (https.crtList) bind.push(`crt-list ${renderConfigPath(https.crtList)}`);
  bind.push("alpn h2,http/1.1");
  if (https.strictSni) bind.push("strict-sni");
  return [bind.join(" "), ...renderHttpOptions(), ...renderHostCheck(), ...renderForwarding("https")];
}

// The end of both HTTP frontends: the headers a backend learns the client's scheme and address from,
// then the routing by the maps.
function renderForwarding(scheme: "http" | "https"): string[] {
  return [
    `http-request set-header X-Forwarded-Proto ${scheme}`,
    "http-request set-header X-Real-IP %[src]",
    ...renderRoutingRules(),
  ];
}

// `listen rh_stats`: the stats page and the Prometheus exporter, behind basic auth.
export function renderStats(input: BaseConfigInput, port: number): string[] {
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
