// Raw flags + environment → validated ReloaderOptions, or an OptionsError listing every bad value.
import { resolve } from "node:path";
import { parseLogLevel, parseStatusBind, parseStatusPort, type LogFormat } from "@rancher-haproxy/core";
import { stateLayout } from "../output/snapshot-layout.js";
import { OptionsError } from "./options-error.js";
import { OPTION_SPECS, type OptionFlag, type RawFlags } from "./option-specs.js";
import { parseStatsPassword, parseStatsUsername } from "./parse-credentials.js";
import { parseApiHost, parseBindAddress, parseFacility, parseSyslogHost } from "./parse-network.js";
import type { Parsed } from "./parse-values.js";
import { parseBoolean, parseDurationMs, parseInteger, parsePort, parseRedirectCode } from "./parse-values.js";
import type { ReloaderOptions } from "./reloader-options.js";

// Unix socket paths are limited to 107 bytes; master.sock and admin.sock live in the state dir.
const MAX_STATE_DIR = 107 - "/master.sock".length;
const SECRET_FLAGS = new Set<OptionFlag>(["stats-password", "status-token"]);

// Validate every option once; the errors name the flag or variable and the bad value (never a secret).
export function resolveOptions(flags: RawFlags, env: NodeJS.ProcessEnv): ReloaderOptions {
  const problems: string[] = [];

  const raw = (flag: OptionFlag): { text: string | null; source: string } => {
    const spec = OPTION_SPECS.find((candidate) => candidate.flag === flag);
    const fromFlag = flags[flag];
    if (fromFlag !== undefined) return { text: fromFlag, source: `--${flag}` };
    const fromEnv = spec?.env ? env[spec.env] : undefined;
    if (spec?.env && fromEnv !== undefined && fromEnv !== "") return { text: fromEnv, source: spec.env };
    return { text: spec?.default ?? null, source: `--${flag} (default)` };
  };

  function get<T>(flag: OptionFlag, parse: (text: string) => Parsed<T>, fallback: T): T {
    const { text, source } = raw(flag);
    if (text === null) return fallback;
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    const shown = SECRET_FLAGS.has(flag) ? "" : `=${JSON.stringify(text)}`;
    problems.push(`${source}${shown} ${parsed.reason}`);
    return fallback;
  }
  const path = (flag: OptionFlag) => get(flag, nonEmptyPath, "");
  const optionalPath = (flag: OptionFlag) => (raw(flag).text === null ? null : path(flag));

  const sslEnabled = get("enable-ssl", parseBoolean, false);
  const redirect = get("enable-ssl-redirection", parseBoolean, false);
  const redirectCode = get("ssl-redirection-type", parseRedirectCode, 301);
  const statsEnabled = get("enable-stats", parseBoolean, false);
  const username = get("stats-username", parseStatsUsername, "");
  const password = get("stats-password", parseStatsPassword, "");
  const allowDefault = get("stats-allow-default-password", parseBoolean, false);
  // The default password is refused whatever the username (an empty STATS_PASSWORD means the default).
  if (statsEnabled && password === "haproxy" && !allowDefault)
    problems.push(
      "ENABLE_STATS=true with the default STATS_PASSWORD (haproxy; an empty STATS_PASSWORD means the " +
        "default), whatever STATS_USERNAME is: set your own password, or STATS_ALLOW_DEFAULT_PASSWORD=true " +
        "to accept it",
    );
  if (redirect && !sslEnabled)
    problems.push(
      "ENABLE_SSL_REDIRECTION=true needs ENABLE_SSL=true (there is no HTTPS frontend to redirect to)",
    );

  const stateDir = path("state-dir");
  if (stateDir.length > MAX_STATE_DIR)
    problems.push(
      `${raw("state-dir").source}=${JSON.stringify(stateDir)} is too long for a unix socket path (max ${MAX_STATE_DIR} bytes)`,
    );
  const syslogRaw = raw("syslog-host").text;
  const logFormat = get("log-format", parseLogFormat, undefined);

  const options: ReloaderOptions = {
    haproxyBin: get("haproxy-bin", nonEmpty, "haproxy"),
    haproxyConfig: optionalPath("haproxy-config"),
    userConfig: optionalPath("config"),
    backendConfig: path("backend-config"),
    domainMap: path("domain-map"),
    stateDir,
    bindAddress: get("bind-address", parseBindAddress, ""),
    httpPort: get("http-port", parsePort, 80),
    ssl: {
      enabled: sslEnabled,
      port: get("https-port", parsePort, 443),
      certPath: optionalPath("ssl-cert") ?? stateLayout(stateDir).certificate,
      base64Encoded: get("ssl-base64-encoded", parseBoolean, false),
      redirect: sslEnabled && redirect ? redirectCode : null,
    },
    stats: { enabled: statsEnabled, port: get("stats-port", parsePort, 1936), username, password },
    maxconn: get("maxconn", (t) => parseInteger(t, 1, 1_000_000), null),
    syslogHost:
      syslogRaw === null || syslogRaw.trim() === "" ? null : get("syslog-host", parseSyslogHost, null),
    syslogFacility: get("syslog-facility", parseFacility, "daemon"),
    rancherApiHost: get("rancher-api-host", parseApiHost, ""),
    rancherApiVersion: get("rancher-api-version", apiVersion, ""),
    hardStopAfterMs: get("hard-stop-after", (t) => parseDurationMs(t), 30_000),
    debounceMs: get("debounce-ms", (t) => parseInteger(t, 0, 60_000), 200),
    stopTimeoutMs: get("stop-timeout", (t) => parseDurationMs(t, 3_600_000), 30_000),
    rescanIntervalMs: get("rescan-interval", (t) => parseDurationMs(t, 3_600_000), 10_000),
    reloadTimeoutMs: get("reload-timeout", (t) => parseDurationMs(t, 600_000), 10_000),
    maxRestarts: get("max-restarts", (t) => parseInteger(t, 1, 1000), 10),
    status: {
      port: get("status-port", (t) => attempt(() => parseStatusPort(t)), null),
      bind: get("status-bind", (t) => attempt(() => parseStatusBind(t)), "127.0.0.1"),
      token: get("status-token", parseToken, null),
    },
    logLevel: get("log-level", parseLevel, "info"),
    logFormat,
  };
  checkPorts(options, problems);
  if (problems.length > 0) throw new OptionsError(problems);
  return options;
}

function checkPorts(options: ReloaderOptions, problems: string[]): void {
  const used: [string, number][] = [["HTTP_PORT", options.httpPort]];
  if (options.ssl.enabled) used.push(["HTTPS_PORT", options.ssl.port]);
  if (options.stats.enabled) used.push(["STATS_PORT", options.stats.port]);
  if (options.status.port) used.push(["STATUS_PORT", options.status.port]);
  for (const [name, port] of used) {
    const clash = used.find(([other, otherPort]) => other !== name && otherPort === port);
    if (clash && name < clash[0])
      problems.push(`${name} and ${clash[0]} are both ${port}: each listener needs its own port`);
  }
}

// A parser of core's (which throws with the reason) as a Parsed.
function attempt<T>(parse: () => T): Parsed<T> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function nonEmpty(text: string): Parsed<string> {
  return text.trim() === "" ? { ok: false, reason: "must not be empty" } : { ok: true, value: text.trim() };
}

function nonEmptyPath(text: string): Parsed<string> {
  if (text.trim() === "") return { ok: false, reason: "must not be empty" };
  if (/[\s"'#\\]/.test(text.trim()))
    return { ok: false, reason: "must not contain spaces, quotes, # or backslashes" };
  return { ok: true, value: resolve(text.trim()) };
}

function parseToken(text: string): Parsed<string | null> {
  return /^[\x21-\x7e]{16,256}$/.test(text)
    ? { ok: true, value: text }
    : { ok: false, reason: "must be 16-256 visible ASCII characters, no spaces (value not shown)" };
}

function apiVersion(text: string): Parsed<string> {
  const value = text.trim();
  return /^(latest|\d{4}-\d{2}-\d{2})$/.test(value)
    ? { ok: true, value }
    : { ok: false, reason: "must be `latest` or a date like 2015-12-19" };
}

function parseLevel(text: string): Parsed<ReloaderOptions["logLevel"]> {
  const level = parseLogLevel(text);
  return level
    ? { ok: true, value: level }
    : { ok: false, reason: "must be fatal, error, warn, info, debug, trace or silent" };
}

function parseLogFormat(text: string): Parsed<LogFormat | undefined> {
  const value = text.trim().toLowerCase();
  return value === "json" || value === "pretty"
    ? { ok: true, value }
    : { ok: false, reason: "must be json or pretty" };
}
