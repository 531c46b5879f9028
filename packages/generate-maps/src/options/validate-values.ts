// One validator per option value: returns the typed value or throws an Error saying what is expected
// (parseOptions adds which flag or variable held the bad value).
import { parseLogLevel, parseStatusBind, parseStatusPort, type LogFormat } from "@rancher-haproxy/core";
import type { LevelWithSilent } from "pino";
import { parseCidr } from "../model/cidr.js";
import { isDnsName } from "../model/dns-names.js";
import { API_VERSIONS, type ApiVersion } from "./generator-options.js";

const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV6_LITERAL = /^\[[0-9a-f:.]+\]$/i;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$/;
const SECONDS = /^[0-9]{1,5}(?:\.[0-9]{1,3})?$/;
const SHARE = /^(?:0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?)$/;

// The domain: a DNS name, lower-cased (`Dev.TLD` is `dev.tld`).
export function validateDomain(value: string): string {
  const domain = value.toLowerCase();
  if (!isDnsName(domain))
    throw new Error("must be a DNS name such as dev.example.com (letters, digits, hyphens, dots)");
  return domain;
}

// host[:port], where host is a host name, an IPv4 address or a [bracketed] IPv6 address.
export function validateApiHost(value: string): string {
  const match = /^(.*?)(?::([0-9]{1,5}))?$/.exec(value);
  const host = match?.[1] ?? "";
  const port = match?.[2];
  if (
    !(HOST_NAME.test(host) || IPV6_LITERAL.test(host)) ||
    (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
  )
    throw new Error("must be host or host:port, e.g. rancher-metadata.rancher.internal or 127.0.0.1:8080");
  return value;
}

// One of the supported metadata API versions.
export function validateApiVersion(value: string): ApiVersion {
  const version = API_VERSIONS.find((v) => v === value);
  if (version === undefined) throw new Error(`must be one of ${API_VERSIONS.join(", ")}`);
  return version;
}

// A container label key such as map-public-http or io.example/port.
export function validateLabelKey(value: string): string {
  if (!LABEL_KEY.test(value)) throw new Error("must be a label key: letters, digits, '.', '_', '/', '-'");
  return value;
}

// A file path: not empty, no NUL byte.
export function validatePath(value: string): string {
  if (value === "" || value.includes("\0")) throw new Error("must be a file path");
  return value;
}

// Seconds, 1 to 86400, optionally with up to 3 decimals; returned in milliseconds.
export function validateInterval(value: string): number {
  const seconds = Number(value);
  if (!SECONDS.test(value) || seconds < 1 || seconds > 86400)
    throw new Error("must be a number of seconds from 1 to 86400");
  return Math.round(seconds * 1000);
}

// A share from 0 to 1 with up to 3 decimals (0.5 is half).
export function validateShare(value: string): number {
  if (!SHARE.test(value)) throw new Error("must be a share from 0 to 1, e.g. 0.5 for half");
  return Number(value);
}

// Seconds, 0 (off) to 86400, optionally with up to 3 decimals; returned in milliseconds.
export function validateConfirmSeconds(value: string): number {
  const seconds = Number(value);
  if (!SECONDS.test(value) || seconds > 86400)
    throw new Error("must be a number of seconds from 0 (off) to 86400");
  return Math.round(seconds * 1000);
}

// A pino level name.
export function validateLogLevel(value: string): LevelWithSilent {
  const level = parseLogLevel(value);
  if (level === undefined) throw new Error("must be fatal, error, warn, info, debug, trace or silent");
  return level;
}

// json or pretty.
export function validateLogFormat(value: string): LogFormat {
  const format = value.trim().toLowerCase();
  if (format !== "json" && format !== "pretty") throw new Error("must be json or pretty");
  return format;
}

// The status port: 1-65535, 0 (any free port) or off (null: no listener).
export function validateStatusPort(value: string): number | null {
  return parseStatusPort(value);
}

// The status bind address: an IPv4 or IPv6 address.
export function validateStatusBind(value: string): string {
  return parseStatusBind(value);
}

// A comma-separated list of IPv4 CIDRs (a.b.c.d/n, no host bits), e.g. 10.42.0.0/16,127.0.0.0/8.
export function validateCidrList(value: string): string[] {
  const cidrs = value.split(",").map((part) => part.trim());
  for (const cidr of cidrs)
    if (parseCidr(cidr) === undefined)
      throw new Error(
        `${JSON.stringify(cidr)} is not an IPv4 CIDR such as 10.42.0.0/16 (a comma-separated list, no host bits set)`,
      );
  return cidrs;
}
