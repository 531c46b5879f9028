// The address-shaped value types of the option table: DNS names, host[:port], bind addresses, syslog
// targets and facilities, the status listener, and the stats credentials (which stand in haproxy.cfg).
import { isIP } from "node:net";
import { parseCidr } from "../net/cidr.js";
import { parseStatusBind, parseStatusPort } from "../status/status-settings.js";
import { checkedType, oneOfType, patternType } from "./value-type.js";

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`, "i");

// Where HAProxy sends its logs: a syslog server, or its own stdout (forwarded into the reloader's log).
export type SyslogTarget = { kind: "stdout" } | { kind: "udp"; host: string; port: number | null };

// The syslog facilities HAProxy's `log` keyword knows.
export const SYSLOG_FACILITIES = [
  ...["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2", "ftp"],
  ...["ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4", "local5"],
  ...["local6", "local7"],
] as const;

// A syslog facility name from SYSLOG_FACILITIES.
export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number];

// A host name such as rancher-metadata.rancher.internal (letters, digits, hyphens, dots; ≤ 253).
export function isHostName(text: string): boolean {
  return HOST_NAME.test(text);
}

// An IPv4 or IPv6 address literal as HAProxy's `log` and `bind` take it: Node's isIP, but no IPv6 zone
// (`fe80::1%eth0`, which isIP accepts and HAProxy refuses as an invalid address, failing every check).
export function isConfigAddress(text: string): boolean {
  return isIP(text) !== 0 && !text.includes("%");
}

// Whether a name's last label is a number (`1234`, `10.0.0.010`, `0x7f.1`): such a name is no DNS name,
// and HAProxy's resolver (inet_aton) and fetch's URL parser read it as an IPv4 address of their own
// (octal, hex, fewer parts): `127.000.000.010` is 127.0.0.8, `514` is 0.0.2.2.
function endsInNumber(name: string): boolean {
  return /(?:^|\.)(?:[0-9]+|0x[0-9a-f]*)$/i.test(name);
}

// host[:port] where host is a name, an IPv4 address or a [bracketed] IPv6 address; undefined if not.
export function splitHostPort(text: string): { host: string; port: number | null } | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]+))(?::([0-9]{1,5}))?$/i.exec(text);
  if (!match) return undefined;
  const [, ipv6, name = "", port] = match;
  const isName = isHostName(name) && !endsInNumber(name);
  if (ipv6 !== undefined ? isIP(ipv6) !== 6 : isIP(name) !== 4 && !isName) return undefined;
  const number = port === undefined ? null : Number(port);
  if (number !== null && !(number >= 1 && number <= 65535)) return undefined;
  return { host: ipv6 ?? name, port: number };
}

// A DNS name, lower-cased (`Dev.TLD` is `dev.tld`). Checked before lower-casing: `\u212Adev.tld` (a Kelvin
// sign, which lower-cases to `k`) is refused, not read as `kdev.tld`.
export const DNS_NAME = checkedType(
  "name",
  "a DNS name such as dev.example.com (letters, digits, hyphens, dots)",
  (text) => (isHostName(text) ? text.toLowerCase() : undefined),
);

// RANCHER_API_HOST: host or host:port, IPv6 in brackets; kept as written (it goes into the URL as is).
export const HOST_PORT = checkedType(
  "host",
  "host or host:port, e.g. rancher-metadata.rancher.internal, 127.0.0.1:8080 or [::1]:8080",
  (text) => (splitHostPort(text) ? text : undefined),
);

// BIND_ADDRESS: empty (every IPv4 address), an IPv4 or an IPv6 address.
export const BIND_ADDRESS = checkedType("address", "empty or an IPv4/IPv6 address", (text) =>
  text === "" || isConfigAddress(text) ? text : undefined,
);

// SYSLOG_HOST: `stdout`, or host[:port] (an IPv6 address bare or as [addr]:port).
export function parseSyslogHost(text: string): SyslogTarget | undefined {
  const value = text.trim();
  if (value.toLowerCase() === "stdout") return { kind: "stdout" };
  if (isIP(value) === 6 && isConfigAddress(value)) return { kind: "udp", host: value, port: null };
  const split = splitHostPort(value);
  return split && { kind: "udp", ...split };
}

// SYSLOG_HOST as a value type.
export const SYSLOG_HOST = checkedType(
  "target",
  "`stdout`, or an IP address or DNS name with an optional :port",
  parseSyslogHost,
);

// SYSLOG_FACILITY: one of the names HAProxy accepts.
export const SYSLOG_FACILITY = oneOfType("facility", SYSLOG_FACILITIES);

// STATUS_PORT: a port, 0 (any free port) or off (null: no listener).
export const STATUS_PORT = checkedType(
  "port",
  "a port 1-65535, 0 for any free port, or off for no status listener",
  parseStatusPort,
);

// STATUS_BIND: an IPv4 or IPv6 address.
export const STATUS_BIND = checkedType(
  "address",
  "an IPv4 or IPv6 address, e.g. 127.0.0.1 or 0.0.0.0",
  parseStatusBind,
);

// STATS_USERNAME: restricted so it stands unquoted in haproxy.cfg.
export const STATS_USERNAME = patternType("user", "1-64 of A-Z a-z 0-9 . _ -", /^[A-Za-z0-9._-]{1,64}$/);

// STATS_PASSWORD: restricted so it stands unquoted in haproxy.cfg (a secret: never shown in errors).
export const STATS_PASSWORD = patternType(
  "password",
  "1-128 of A-Z a-z 0-9 and . _ ~ + = @ % ^ * ! , / ? -",
  /^[A-Za-z0-9._~+=@%^*!,/?-]{1,128}$/,
);

// STATUS_TOKEN: a bearer token for the status listeners (a secret: never shown in errors).
export const STATUS_TOKEN = patternType(
  "token",
  "16-256 visible ASCII characters, no spaces",
  /^[\x21-\x7e]{16,256}$/,
);

// BACKEND_NETWORKS: a comma-separated list of IPv4 CIDRs (a.b.c.d/n, no host bits set).
export const CIDR_LIST = checkedType(
  "networks",
  "a comma-separated list of IPv4 CIDRs such as 10.42.0.0/16 (no host bits set)",
  (text) => {
    const cidrs = text.split(",").map((part) => part.trim());
    return cidrs.every((cidr) => parseCidr(cidr) !== undefined) ? cidrs : undefined;
  },
);
