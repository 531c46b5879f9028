// The general value types of the option table: text, paths, numbers, durations, switches, log settings.
import { resolve } from "node:path";
import { parseLogLevel } from "../log/parse-log-level.js";
import { checkedType, oneOfType, patternType } from "./value-type.js";

const SECONDS = /^[0-9]{1,5}(?:\.[0-9]{1,3})?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const TRUE = ["true", "1", "yes", ""];
const FALSE = ["false", "0", "no"];

// Any non-empty text.
export const TEXT = checkedType("text", "non-empty text", (text) => (text === "" ? undefined : text));

// A file path, made absolute. Spaces and # are fine (the reloader single-quotes paths in haproxy.cfg);
// quotes, backslashes and control characters are not, as no quoting could carry them there (nor `$`,
// which HAProxy expands even in single quotes: the reloader refuses it in the state dir, the one path
// that stands in haproxy.cfg).
export const PATH = checkedType(
  "path",
  "a file path without quotes, backslashes or control characters",
  (text) => (/^[^"'\\\p{Cc}]+$/u.test(text) ? resolve(text) : undefined),
);

// A switch (no value): true when given.
export const SWITCH = checkedType("switch", "true or false", (text) =>
  text === "true" ? true : text === "false" ? false : undefined,
);

// true/false, 1/0, yes/no in any case; a bare flag (empty text) means true.
export const BOOLEAN = checkedType("boolean", "true or false (also 1/0, yes/no)", (text) => {
  const lower = text.toLowerCase();
  return TRUE.includes(lower) ? true : FALSE.includes(lower) ? false : undefined;
});

// A TCP port 1-65535, decimal digits only.
export const PORT = checkedType("port", "a port number 1-65535", (text) => {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : 0;
  return port >= 1 && port <= 65535 ? port : undefined;
});

/** the most ports PORT_LIST accepts */
export const MAX_LISTED_PORTS = 100;

// A comma-separated list of ports 1-65535 (empty: none), at most MAX_LISTED_PORTS; repeats are kept for
// the program to refuse by name.
export const PORT_LIST = checkedType(
  "ports",
  `a comma-separated list of ports 1-65535 such as 5432,6379 (empty: none; at most ${MAX_LISTED_PORTS})`,
  (text) => {
    if (text === "") return [];
    const parts = text.split(",").map((part) => part.trim());
    if (parts.length > MAX_LISTED_PORTS) return undefined;
    const ports = parts.map((part) => (/^[0-9]{1,5}$/.test(part) ? Number(part) : 0));
    return ports.every((port) => port >= 1 && port <= 65535) ? ports : undefined;
  },
);

// A whole number from min to max.
export function integerType(min: number, max: number) {
  return checkedType("integer", `an integer from ${min} to ${max}`, (text) => {
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    return value >= min && value <= max ? value : undefined;
  });
}

// A duration such as 500ms, 30s, 2m or 1h (a bare number is milliseconds, as in HAProxy), in ms, from
// minMs (0 unless a 0 would mean something else, e.g. no bound at all to HAProxy) to maxMs.
export function durationType(maxMs: number, minMs = 0) {
  const range = minMs > 0 ? `from ${minMs}ms to ${maxMs / 1000}s` : `at most ${maxMs / 1000}s`;
  return checkedType("duration", `a duration like 500ms, 30s, 2m or 1h, ${range}`, (text) => {
    const match = /^([0-9]+)(ms|s|m|h)?$/.exec(text);
    const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] ?? 1) : NaN;
    return ms >= minMs && ms <= maxMs ? ms : undefined;
  });
}

// Seconds from min to max with up to 3 decimals, in milliseconds.
export function secondsType(min: number, max: number, accepts: string) {
  return checkedType("seconds", accepts, (text) => {
    const seconds = Number(text);
    return SECONDS.test(text) && seconds >= min && seconds <= max ? Math.round(seconds * 1000) : undefined;
  });
}

// A share from 0 to 1 with up to 3 decimals (0.5 is half).
export const SHARE = checkedType("share", "a share from 0 to 1, e.g. 0.5 for half", (text) =>
  /^(?:0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?)$/.test(text) ? Number(text) : undefined,
);

// A pino level name.
export const LOG_LEVEL = checkedType(
  "level",
  "fatal, error, warn, info, debug, trace or silent",
  parseLogLevel,
);

// json or pretty.
export const LOG_FORMAT = oneOfType("format", ["json", "pretty"], "json or pretty");

// RELOADER_ON_CRASH: what an uncaught error in the reloader does to the HAProxy it supervises.
export const ON_CRASH = oneOfType(
  "action",
  ["stop-haproxy", "leave-haproxy"],
  "stop-haproxy or leave-haproxy",
);

// The metadata API versions the real rancher-metadata (v0.10.4) serves; all answer /containers,
// /version and self/service/metadata the same way for what the programs read.
export const API_VERSIONS = ["2015-07-25", "2015-12-19", "2016-07-29", "latest"] as const;

// RANCHER_API_VERSION: one of API_VERSIONS.
export const API_VERSION = oneOfType("version", API_VERSIONS);

// An HTTP redirect code HAProxy's `redirect ... code` accepts.
export const REDIRECT_CODE = checkedType("code", "one of 301, 302, 303, 307, 308", (text) =>
  ([301, 302, 303, 307, 308] as const).find((code) => String(code) === text),
);

// A container label key such as map-public-http or io.example/port.
export const LABEL_KEY = patternType(
  "label",
  "a label key: letters, digits, '.', '_', '/', '-'",
  /^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$/,
);

// A metadata API version from API_VERSIONS.
export type ApiVersion = (typeof API_VERSIONS)[number];
