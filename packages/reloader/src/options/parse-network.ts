// Address-shaped option values: bind address, syslog target and facility, metadata host.
import { isIP } from "node:net";
import type { Parsed } from "./parse-values.js";

const HOSTNAME =
  /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

// Where HAProxy sends its logs: a syslog server, or its own stdout (forwarded into the reloader's log).
export type SyslogTarget = { kind: "stdout" } | { kind: "udp"; host: string; port: number | null };

// The syslog facilities HAProxy's `log` keyword knows.
export const SYSLOG_FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "auth2",
  "ftp",
  "ntp",
  "audit",
  "alert",
  "cron2",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;

// A syslog facility name from SYSLOG_FACILITIES.
export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number];

// BIND_ADDRESS: empty (all addresses), an IPv4 or an IPv6 address.
export function parseBindAddress(text: string): Parsed<string> {
  const value = text.trim();
  if (value === "" || isIP(value) !== 0) return { ok: true, value };
  return { ok: false, reason: "must be empty (all addresses) or an IPv4/IPv6 address" };
}

// SYSLOG_HOST: `stdout`, or an IP / DNS name with an optional :port (IPv6 as [addr] or [addr]:port).
export function parseSyslogHost(text: string): Parsed<SyslogTarget> {
  const value = text.trim();
  if (value.toLowerCase() === "stdout") return { ok: true, value: { kind: "stdout" } };
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed && isIP(bracketed[1] ?? "") === 6) return withPort(bracketed[1] ?? "", bracketed[2]);
  if (isIP(value) === 6) return { ok: true, value: { kind: "udp", host: value, port: null } };
  const plain = /^([^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (plain && (isIP(plain[1] ?? "") === 4 || HOSTNAME.test(plain[1] ?? "")))
    return withPort(plain[1] ?? "", plain[2]);
  return { ok: false, reason: "must be `stdout`, or an IP address or DNS name with an optional :port" };
}

function withPort(host: string, port: string | undefined): Parsed<SyslogTarget> {
  if (port === undefined) return { ok: true, value: { kind: "udp", host, port: null } };
  const number = Number(port);
  if (number < 1 || number > 65535) return { ok: false, reason: "has a port outside 1-65535" };
  return { ok: true, value: { kind: "udp", host, port: number } };
}

// SYSLOG_FACILITY: one of the names HAProxy accepts.
export function parseFacility(text: string): Parsed<SyslogFacility> {
  const value = text.trim().toLowerCase();
  const known = SYSLOG_FACILITIES.find((facility) => facility === value);
  return known
    ? { ok: true, value: known }
    : { ok: false, reason: `must be one of ${SYSLOG_FACILITIES.join(", ")}` };
}

// RANCHER_API_HOST: host[:port] of the metadata service.
export function parseApiHost(text: string): Parsed<string> {
  const value = text.trim();
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (match && (isIP(match[1] ?? "") === 4 || HOSTNAME.test(match[1] ?? ""))) return { ok: true, value };
  return { ok: false, reason: "must be host or host:port" };
}
