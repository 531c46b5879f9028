// The name rules of the shared files: every name, address and port that may reach HAProxy through
// domain.map or haproxy-backends.cfg, one constant per limit. Pure and total.

/** the longest DNS label (RFC 1035): a stack, and so a backend, name */
export const MAX_DNS_LABEL_LENGTH = 63;
/** the longest DNS name (RFC 1035): every fqdn in domain.map, the domain and every alias */
export const MAX_DNS_NAME_LENGTH = 253;
/** the longest service token of a server name `<service>-<uuid>` */
export const MAX_SERVICE_TOKEN_LENGTH = 63;
/** the longest uuid token of a server name `<service>-<uuid>` */
export const MAX_UUID_TOKEN_LENGTH = 64;
/** the longest server name: `<service>-<uuid>` at their longest */
export const MAX_SERVER_NAME_LENGTH = MAX_SERVICE_TOKEN_LENGTH + 1 + MAX_UUID_TOKEN_LENGTH;
/** how many leading labels the reloader's rules strip to find a mapped parent (x.app.dev.tld → app.dev.tld) */
export const SUBDOMAIN_LEVELS = 5;

const LABEL = `[a-z0-9](?:[a-z0-9-]{0,${MAX_DNS_LABEL_LENGTH - 2}}[a-z0-9])?`;
const DNS_LABEL = new RegExp(`^${LABEL}$`);
// labels joined by dots, tested as one pattern: no array of parts per name (the reloader tests every map
// key and backend name of files up to 500 000 lines, the generator every name of every container)
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const SERVER_CHARS = /^[a-z0-9][a-z0-9_.-]*$/;
const UUID = /^[0-9a-f]+(?:-[0-9a-f]+)*$/;
const ASCII = /^\p{ASCII}*$/u;

// `value` lower-cased when it is all ASCII; undefined when it is not. Every name from metadata is checked
// in lower case, and a character outside ASCII can lower-case into ASCII: the Kelvin sign U+212A becomes
// `k`, so a stack Rancher shows as `\u212Aapp` would have routed as backend `kapp`. Such names are refused.
export function lowerAscii(value: string): string | undefined {
  return ASCII.test(value) ? value.toLowerCase() : undefined;
}

// A lower-case DNS label (RFC 1123): what a stack (and so a backend) name must be.
export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

// A lower-case DNS name of one or more labels, at most 253 characters: the domain, every alias, every fqdn.
export function isDnsName(value: string): boolean {
  return value.length <= MAX_DNS_NAME_LENGTH && DNS_NAME.test(value);
}

// A dotted-quad IPv4 address without leading zeros, and not the unspecified 0.0.0.0.
export function isIPv4(value: string): boolean {
  return IPV4.test(value) && value !== "0.0.0.0";
}

// The backend of TCP public port `port`: `tcp_<port>`; the `_` keeps it apart from every stack (a DNS label).
export function tcpBackendName(port: number): string {
  return `tcp_${port}`;
}

// The public port of a `tcp_<port>` backend name (no leading zero, 1-65535); undefined for any other name.
export function parseTcpBackendName(name: string): number | undefined {
  if (!name.startsWith("tcp_")) return undefined;
  const match = /^tcp_([1-9][0-9]{0,4})$/.exec(name);
  return match?.[1] === undefined ? undefined : parsePort(match[1]);
}

// A TCP port written strictly as 1 to 5 digits with a value 1-65535; undefined for anything else.
export function parsePort(value: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port >= 1 && port <= 65535 ? port : undefined;
}

// An HAProxy server name: lower-case letters, digits, `_`, `.`, `-`, at most MAX_SERVER_NAME_LENGTH.
export function isServerName(value: string): boolean {
  return value.length <= MAX_SERVER_NAME_LENGTH && SERVER_CHARS.test(value);
}

// A token safe as the service part of a server name: a server name of at most MAX_SERVICE_TOKEN_LENGTH.
export function isServerToken(value: string): boolean {
  return value.length <= MAX_SERVICE_TOKEN_LENGTH && SERVER_CHARS.test(value);
}

// A lower-case uuid-like token: hex digit groups separated by single dashes, at most MAX_UUID_TOKEN_LENGTH.
export function isUuidToken(value: string): boolean {
  return value.length <= MAX_UUID_TOKEN_LENGTH && UUID.test(value);
}
