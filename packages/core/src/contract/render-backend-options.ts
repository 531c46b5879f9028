// The fixed line forms of issue 13's per-backend and per-server options: rendered here, and read back by
// parseBackendOptions only when they are exactly these forms in this order.
import { STICKY_COOKIE } from "./option-rules.js";
import type { BackendOptions, SharedServer } from "./shared-table.js";

// The words after a server's address when it has a check: sane defaults, not taken from labels.
export const SERVER_CHECK = "check inter 2s fall 3 rise 2";

// The variable the reloader's HTTP frontend sets to `:<HTTPS_PORT>` when that port is not 443 and the
// request's Host names a port; unset, the redirects to HTTPS name no port (443).
export const HTTPS_PORT_VAR = "txn.https_port";

// Where a redirect to HTTPS sends a request: the Host without its port (`redirect scheme` kept it, so
// `Host: app:8080` went to `https://app:8080/`, the HTTP port) or a trailing dot (as routing reads it:
// `app.tld.` matches no certificate name), then HTTPS_PORT_VAR, the path and query.
export const HTTPS_LOCATION = `https://%[req.fhdr(host),host_only,regsub(\\.$,),concat(,${HTTPS_PORT_VAR})]%[pathq]`;

// The option lines of a backend block (without indent), in their fixed order; [] without options.
export function renderBackendOptionLines(options: BackendOptions | undefined): string[] {
  if (options === undefined) return [];
  const lines: string[] = [];
  if (options.balance !== undefined) lines.push(`balance ${options.balance}`);
  if (options.sticky) lines.push(`cookie ${STICKY_COOKIE} insert indirect nocache`);
  if (options.check !== undefined) lines.push(`option httpchk GET ${options.check}`);
  if (options.timeoutServer !== undefined) lines.push(`timeout server ${options.timeoutServer}`);
  if (options.timeoutTunnel !== undefined) lines.push(`timeout tunnel ${options.timeoutTunnel}`);
  if (options.https === "redirect")
    lines.push(
      `http-request redirect location ${HTTPS_LOCATION} code 301 if !{ ssl_fc } METH_GET`,
      `http-request redirect location ${HTTPS_LOCATION} code 308 if !{ ssl_fc }`,
    );
  if (options.https === "only") lines.push("http-request deny deny_status 403 if !{ ssl_fc }");
  if (options.stripPath !== undefined)
    lines.push(`http-request replace-path ^${stripPathPattern(options.stripPath)}(?:/(.*))?$ /\\1`);
  // http-after-response: also on HAProxy's own answers (a 503 without a server, a 502, a 504)
  if (options.hsts !== undefined)
    lines.push(
      `http-after-response set-header Strict-Transport-Security max-age=${options.hsts} if { ssl_fc }`,
    );
  return lines;
}

// The words a server line carries after its address: proxy option, check, maxconn, cookie, in this order.
export function renderServerOptions(server: SharedServer): string {
  const words: string[] = [];
  if (server.proxy !== undefined) words.push(server.proxy);
  if (server.check) words.push(SERVER_CHECK);
  if (server.maxconn !== undefined) words.push(`maxconn ${server.maxconn}`);
  if (server.cookie !== undefined) words.push(`cookie ${server.cookie}`);
  return words.map((word) => ` ${word}`).join("");
}

// A path prefix as a regex: its only metacharacter `.` written as `[.]` (isPathPrefix allows no other).
export function stripPathPattern(prefix: string): string {
  return prefix.replaceAll(".", "[.]");
}
