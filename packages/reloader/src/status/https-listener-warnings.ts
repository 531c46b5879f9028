// /healthz's warnings for backends asking for HTTPS while ENABLE_SSL is off: one per backend up to a
// fixed number, then one warning with the count of the rest, so a body stays a few kB however many
// backends the generator writes.
import type { HttpsBackend } from "../state/status-snapshot.js";

/** the most per-backend warnings /healthz lists */
export const MAX_HTTPS_BACKEND_WARNINGS = 20;

// The warnings for `backends` (by name): the first MAX_HTTPS_BACKEND_WARNINGS, then one with the rest.
export function httpsListenerWarnings(backends: readonly HttpsBackend[]): string[] {
  const warnings = backends
    .slice(0, MAX_HTTPS_BACKEND_WARNINGS)
    .map(({ name, https }) =>
      https === "redirect"
        ? `backend ${name} has https=redirect but ENABLE_SSL is off: plain HTTP to it is redirected to ` +
          "an HTTPS port nothing listens on"
        : `backend ${name} has https=only but ENABLE_SSL is off: every request to it is refused with 403`,
    );
  const rest = backends.length - warnings.length;
  if (rest > 0)
    warnings.push(
      `${rest} more backends with https=redirect or https=only, ${backends.length} in all, while ` +
        "ENABLE_SSL is off (the metric reloader_https_backends_without_listener counts them, the " +
        "https.no-listener log line names the first ones)",
    );
  return warnings;
}
