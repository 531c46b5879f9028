// Backends asking for `https=redirect` or `https=only` while the reloader has no HTTPS listener
// (ENABLE_SSL off): plain HTTP to them is redirected to an HTTPS port nothing listens on, or refused with
// 403, on every request. Reported (log line, /healthz warning, metric) each time the set changes; HAProxy
// runs the files anyway (routing goes on, the other backends are not affected). The log line names at
// most MAX_LOGGED_HTTPS_BACKENDS of them and counts all.
import { compareStrings, parseSharedFiles, type Logger, type SharedBackend } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { HttpsBackend } from "../state/status-snapshot.js";

/** the most backends an `https.no-listener` line names (`backends`; `backendCount` has them all) */
export const MAX_LOGGED_HTTPS_BACKENDS = 100;

// The backends of `backends` with an `https` option, by name; null when the file breaks the contract
// (the checks report that). Already parsed backends are taken as they are.
export function findHttpsBackends(
  backends: string | Uint8Array | readonly SharedBackend[],
): HttpsBackend[] | null {
  const parsed =
    typeof backends === "string" || backends instanceof Uint8Array
      ? parseSharedFiles({ backends, map: "" })
      : { ok: true as const, table: { backends } };
  if (!parsed.ok) return null;
  const found: HttpsBackend[] = [];
  for (const { name, options } of parsed.table.backends)
    if (options?.https !== undefined) found.push({ name, https: options.https });
  return found.sort((a, b) => compareStrings(a.name, b.name));
}

// A reporter for the backends files that go live on a reloader without ENABLE_SSL; it remembers the last
// set it reported.
export function createHttpsListenerReport(
  logger: Logger,
  status: ReloaderStatus,
): (backends: string | Uint8Array | readonly SharedBackend[]) => void {
  let last = "";
  return (backends) => {
    const found = findHttpsBackends(backends);
    if (found === null) return;
    const key = found.map(({ name, https }) => `${name}=${https}`).join(",");
    if (key === last) return;
    last = key;
    status.httpsWithoutListener(found);
    if (found.length === 0) {
      logger.info(
        { event: "https.no-listener-cleared" },
        "no backend asks for https=redirect or https=only any more",
      );
      return;
    }
    const logged = found.slice(0, MAX_LOGGED_HTTPS_BACKENDS);
    const more = found.length > logged.length ? ` and ${found.length - logged.length} more` : "";
    const names = logged.map(({ name, https }) => `${name} (https=${https})`).join(", ");
    logger.warn(
      {
        event: "https.no-listener",
        backends: logged.map(({ name }) => name),
        backendCount: found.length,
      },
      `backends ${names}${more} ask for HTTPS, but ENABLE_SSL is off and nothing listens for HTTPS: ` +
        "plain HTTP to them is redirected to a port nothing answers on (redirect) or refused with 403 " +
        "(only); set ENABLE_SSL=true (and a certificate), or remove the https label",
    );
  };
}
