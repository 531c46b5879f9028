// Validators for every value that reaches HAProxy's files: names, addresses, ports. Pure and total.

// The longest DNS name (RFC 1035), so `<stack>.<domain>` and `<alias>.<domain>` must fit in it.
export const MAX_DNS_NAME_LENGTH = 253;

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const SERVER_TOKEN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const UUID = /^[0-9a-f]+(?:-[0-9a-f]+)*$/;

// A lower-case DNS label (RFC 1123): what a stack (and so a backend) name must be.
export function isDnsLabel(value: string): boolean {
  return DNS_LABEL.test(value);
}

// A lower-case DNS name of one or more labels, at most 253 characters: the domain and every alias.
export function isDnsName(value: string): boolean {
  return value.length <= MAX_DNS_NAME_LENGTH && value.split(".").every(isDnsLabel);
}

// A dotted-quad IPv4 address without leading zeros, and not the unspecified 0.0.0.0.
export function isIPv4(value: string): boolean {
  return IPV4.test(value) && value !== "0.0.0.0";
}

// A TCP port written strictly as 1 to 5 digits with a value 1-65535; undefined for anything else.
export function parsePort(value: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(value)) return undefined;
  const port = Number(value);
  return port >= 1 && port <= 65535 ? port : undefined;
}

// A token safe as (part of) an HAProxy server name: lower-case letters, digits, `_`, `.`, `-`.
export function isServerToken(value: string): boolean {
  return SERVER_TOKEN.test(value);
}

// A lower-case uuid-like token: hex digit groups separated by single dashes, at most 64 characters.
export function isUuidToken(value: string): boolean {
  return value.length <= 64 && UUID.test(value);
}
