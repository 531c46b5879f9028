// A backends file that stays empty (0 bytes) is logged, not only shown in /healthz: generate-maps always
// writes a header line, so a file still empty a while after the start is one it never wrote (metadata
// not answering yet, as at a host's boot, or the two programs naming different files:
// HAPROXY_BACKEND_CONFIG set on one service only), and no host reaches a stack. Until 2026-12-06 only
// /healthz's `warnings` said so; the logs, where a user looks first, said nothing.
import { stat } from "node:fs/promises";
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { startGraceReport, type GraceProbe, type GraceReport } from "./grace-report.js";

/** the grace is one rescan interval, but at most this long (a --rescan-interval of 1h would hide it) */
export const EMPTY_BACKENDS_GRACE_MAX_MS = 30_000;

// A running report.
export type EmptyBackendsReport = GraceReport;

// Stats `path` now and every `intervalMs` (0: only when check() is called). Empty at two checks in a
// row (at the start: the start's and the next), it is logged once (`inputs.backends-empty`, warn) and
// reported to `status`; once it is not empty, `inputs.backends-written` (info) clears that. A file that
// cannot be stat'ed, or is not a regular file, is not reported here (the applier's reads report it) and
// ends nothing. One stat at a time (grace-report.ts).
export function reportEmptyBackends(
  path: string,
  domainMap: string,
  status: ReloaderStatus,
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
): EmptyBackendsReport {
  const probe = async (): Promise<GraceProbe<null>> => {
    const found = await stat(path).catch(() => null);
    if (found === null || !found.isFile()) return null;
    return found.size > 0 ? { holds: false } : { holds: true, found: null };
  };
  return startGraceReport(
    probe,
    {
      report(_found, since, ms) {
        const seconds = Math.round(ms / 1000);
        logger.warn(
          { event: "inputs.backends-empty", path, domainMap, seconds },
          `${path} has been empty for ${seconds} s: generate-maps, which always writes a header ` +
            "line, has not written it, and no host reaches a stack until it does; it writes nothing until the " +
            "metadata service answers (its own metadata-unavailable lines say so), else check that it runs " +
            "and writes the paths the reloader reads (HAPROXY_BACKEND_CONFIG, HAPROXY_DOMAIN_MAP)",
        );
        status.backendsEmpty(since);
      },
      clear(wasReported) {
        if (wasReported)
          logger.info(
            { event: "inputs.backends-written", path },
            `${path} is no longer empty: generate-maps has written it`,
          );
        status.backendsEmpty(null);
      },
    },
    intervalMs,
    now,
  );
}
