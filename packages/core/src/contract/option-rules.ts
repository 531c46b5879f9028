// The rules of what issue 13's label options may put into the shared files: path prefixes, map keys
// with wildcards and paths, `<stack>.<service>` backend names, durations, check paths. Pure and total.
import { isDnsName, MAX_DNS_LABEL_LENGTH } from "./name-rules.js";

/** how many path segments a map key may carry (`host/a/b/c`): the reloader looks up this deep */
export const MAX_PATH_DEPTH = 3;
/** the longest path segment of a prefix */
export const MAX_PATH_SEGMENT_LENGTH = 64;
/** the longest check path */
export const MAX_CHECK_PATH_LENGTH = 200;
/** the largest HSTS max-age (about 31 years) */
export const MAX_HSTS_SECONDS = 999_999_999;
/** the largest per-server maxconn */
export const MAX_SERVER_MAXCONN = 1_000_000;
/** the longest duration HAProxy's timers take (2^31 - 1 ms) */
export const MAX_DURATION_MS = 2_147_483_647;
/** the sticky cookie's name, fixed: never taken from a label */
export const STICKY_COOKIE = "rh_sticky";

const SEGMENT = new RegExp(`^[A-Za-z0-9_~.-]{1,${MAX_PATH_SEGMENT_LENGTH}}$`);
const CHECK_PATH = new RegExp(`^/[A-Za-z0-9_~./-]{0,${MAX_CHECK_PATH_LENGTH - 1}}$`);
const DURATION = /^([1-9][0-9]{0,8})(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COOKIE_VALUE = /^[a-z0-9]{1,32}$/;

// `/seg[/seg...]`: 1 to MAX_PATH_DEPTH segments of `[A-Za-z0-9_~.-]`, none `.` or `..`, no trailing `/`.
export function isPathPrefix(value: string): boolean {
  // Bounded before splitting: a label of 20 MB of `/` split into 20 million strings (1.5 s a cycle).
  if (value.length > MAX_PATH_DEPTH * (MAX_PATH_SEGMENT_LENGTH + 1)) return false;
  const segments = value.split("/");
  return (
    segments[0] === "" &&
    segments.length >= 2 &&
    segments.length <= MAX_PATH_DEPTH + 1 &&
    segments.slice(1).every((segment) => SEGMENT.test(segment) && segment !== "." && segment !== "..")
  );
}

// A domain.map key: `[*.]<lower-case dns name>[<path prefix>]`, e.g. `*.example.com/api`.
export function isMapKey(value: string): boolean {
  const slash = value.indexOf("/");
  const host = slash === -1 ? value : value.slice(0, slash);
  const name = host.startsWith("*.") ? host.slice(2) : host;
  return isDnsName(name) && (slash === -1 || isPathPrefix(value.slice(slash)));
}

// A backend name: a stack (a DNS label) or `<stack>.<service>` (two labels) for a service with a path;
// never contains `_`, so never one of the reloader's own names (`rh_no_route`, `tcp_<port>`).
export function isBackendName(value: string): boolean {
  // at most one dot: one label or two (isDnsName tests the labels without splitting the name)
  return (
    value.length <= 2 * MAX_DNS_LABEL_LENGTH + 1 &&
    value.indexOf(".") === value.lastIndexOf(".") &&
    isDnsName(value)
  );
}

// An HTTP health-check path: `/` then `[A-Za-z0-9_~./-]`, at most MAX_CHECK_PATH_LENGTH characters.
export function isCheckPath(value: string): boolean {
  return CHECK_PATH.test(value);
}

// A duration as HAProxy writes it (`500ms`, `30s`, `5m`, `1h`, `1d`): its milliseconds, else undefined.
export function parseDuration(value: string): number | undefined {
  const match = DURATION.exec(value);
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? Infinity);
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

// A sticky cookie value: 1-32 lower-case letters and digits.
export function isCookieValue(value: string): boolean {
  return COOKIE_VALUE.test(value);
}

// An integer written in plain digits within [min, max]; undefined for anything else.
export function parseBoundedInteger(value: string, min: number, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(value)) return undefined;
  const number = Number(value);
  return number >= min && number <= max ? number : undefined;
}
