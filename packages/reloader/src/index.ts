// @rancher-haproxy/reloader: the pieces of the reloader, for tests, the demo and the status listener.
export { startReloader, type RunningReloader } from "./main.js";
export { resolveOptions } from "./options/resolve-options.js";
export { parseReloaderCommandLine } from "./options/parse-reloader-command-line.js";
export type { ReloaderOptions, SslOptions, StatsOptions, RedirectCode } from "./options/reloader-options.js";
export { renderBaseConfig } from "./render/render-base-config.js";
export type { BaseConfigInput } from "./render/base-config-input.js";
export { renderBindAddress } from "./render/config-words.js";
export {
  renderRoutingRules,
  SUBDOMAIN_LEVELS,
  NO_ROUTE_BACKEND,
  PATH_HOSTS_MAP_NAME,
} from "./render/render-routing-rules.js";
export { renderPathHostsMap, renderPathHostsMapOf } from "./render/render-path-hosts-map.js";
export { buildCertificatePem, validateCertificateFile } from "./model/build-certificate-pem.js";
export { checkConfig, type CheckResult } from "./haproxy/check-config.js";
export { findOffendingLines, maskSecrets } from "./haproxy/find-offending-lines.js";
export { ReloaderStatus } from "./state/reloader-status.js";
export type { StatusSnapshot } from "./state/status-snapshot.js";
export { StartupError } from "./startup-error.js";
export * from "./status/index.js";
