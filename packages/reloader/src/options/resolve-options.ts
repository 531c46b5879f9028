// Command line + environment → validated ReloaderOptions, or an OptionsError naming every bad flag or
// variable and its value (never a secret). The options are rows of core's option table (shared with
// generate-maps); the checks between them are in cross-checks.ts.
import { OptionsError, resolveOptionValues, type RawFlags } from "@rancher-haproxy/core/options";
import { stateLayout } from "../output/snapshot-layout.js";
import { crossChecks, turnedOn } from "./cross-checks.js";
import type { ReloaderOptions } from "./reloader-options.js";
import { environmentOf } from "../model/config-read-words.js";

export { MAX_STATE_DIR } from "./cross-checks.js";

// Validate every option once; throws one OptionsError listing every problem.
export function resolveOptions(flags: RawFlags, env: NodeJS.ProcessEnv): ReloaderOptions {
  const values = resolveOptionValues("reloader", flags, env);
  const sslEnabled = values.get("enableSsl");
  const redirect = values.get("enableSslRedirection");
  const options: ReloaderOptions = {
    haproxyBin: values.get("haproxyBin"),
    haproxyConfig: values.get("haproxyConfig"),
    userConfig: values.get("config"),
    backendConfig: values.get("backends"),
    domainMap: values.get("domainMap"),
    stateDir: values.get("stateDir"),
    bindAddress: values.get("bindAddress"),
    httpPort: values.get("httpPort"),
    tcpPorts: values.get("tcpPorts"),
    ssl: {
      enabled: sslEnabled,
      port: values.get("httpsPort"),
      certPath: stateLayout(values.get("stateDir")).certificate,
      certFile: values.get("sslCert"),
      base64Encoded: values.get("sslBase64Encoded"),
      redirect: sslEnabled && redirect ? values.get("sslRedirectionType") : null,
      certDir: values.get("sslCertDir"),
      strictSni: values.get("strictSni"),
      pollIntervalMs: values.get("certPollInterval"),
      names: { enabled: turnedOn(values, "enableSsl"), certFile: values.nameOf("sslCert") },
    },
    stats: {
      enabled: values.get("enableStats"),
      port: values.get("statsPort"),
      username: values.get("statsUsername"),
      password: values.get("statsPassword"),
    },
    maxconn: values.get("maxconn"),
    syslogHost: values.get("syslogHost"),
    syslogFacility: values.get("syslogFacility"),
    rancherApiHost: values.get("apiHost"),
    rancherApiVersion: values.get("apiVersion"),
    hardStopAfterMs: values.get("hardStopAfter"),
    debounceMs: values.get("debounceMs"),
    stopTimeoutMs: values.get("stopTimeout"),
    onCrash: values.get("onCrash"),
    rescanIntervalMs: values.get("rescanInterval"),
    reloadTimeoutMs: values.get("reloadTimeout"),
    maxRestarts: values.get("maxRestarts"),
    runtimeUpdates: values.get("runtimeUpdates"),
    serverSlots: values.get("serverSlots"),
    status: {
      port: values.get("statusPort"),
      bind: values.get("statusBind"),
      token: values.get("statusToken"),
    },
    logLevel: values.get("logLevel"),
    logFormat: values.get("logFormat") ?? undefined,
    environment: environmentOf(env),
  };
  const problems = crossChecks(options, values, redirect);
  if (problems.length > 0) throw new OptionsError(problems);
  return options;
}
