// A backends file that stays empty (0 bytes) is logged, not only shown in /healthz: generate-maps always
// writes a header line, so a file still empty a while after the start is one it never wrote (metadata
// not answering yet, as at a host's boot, or the two programs naming different files:
// HAPROXY_BACKEND_CONFIG set on one service only), and no host reaches a stack. Until 2026-12-06 only
// /healthz's `warnings` said so; the logs, where a user looks first, said nothing.
import { stat } from "node:fs/promises";
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";

/** the grace is one rescan interval, but at most this long (a --rescan-interval of 1h would hide it) */
export const EMPTY_BACKENDS_GRACE_MAX_MS = 30_000;

// A running report.
export interface EmptyBackendsReport {
  /** one check now, or the one under way (the start's, the timer's every `intervalMs`); resolves once done */
  check(): Promise<void>;
  close(): void;
}

// Stats `path` now and every `intervalMs` (0: only when check() is called). Empty at two checks in a
// row (at the start: the start's and the next), it is logged once (`inputs.backends-empty`, warn) and
// reported to `status`; once it is not empty, `inputs.backends-written` (info) clears that. A file that
// cannot be stat'ed, or is not a regular file, is not reported here (the applier's reads report it) and
// ends nothing. One stat at a time: on a hung mount it never returns, and more would pile up.
export function reportEmptyBackends(
  path: string,
  domainMap: string,
  status: ReloaderStatus,
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
): EmptyBackendsReport {
  let emptySince: number | null = null;
  let reported = false;
  let running: Promise<void> | null = null;
  const once = async () => {
    const found = await stat(path).catch(() => null);
    if (found === null || !found.isFile()) return;
    if (found.size > 0) {
      if (reported)
        logger.info(
          { event: "inputs.backends-written", path },
          `${path} is no longer empty: generate-maps has written it`,
        );
      emptySince = null;
      reported = false;
      status.backendsEmpty(null);
      return;
    }
    if (emptySince === null) {
      emptySince = now();
      return;
    }
    if (reported) return;
    reported = true;
    const seconds = Math.round((now() - emptySince) / 1000);
    logger.warn(
      { event: "inputs.backends-empty", path, domainMap, seconds },
      `${path} has been empty for ${seconds} s: generate-maps, which always writes a header ` +
        "line, has not written it, and no host reaches a stack until it does; it writes nothing until the " +
        "metadata service answers (its own metadata-unavailable lines say so), else check that it runs " +
        "and writes the paths the reloader reads (HAPROXY_BACKEND_CONFIG, HAPROXY_DOMAIN_MAP)",
    );
    status.backendsEmpty(emptySince);
  };
  const check = (): Promise<void> => (running ??= once().finally(() => (running = null)));
  void check();
  const timer = intervalMs > 0 ? setInterval(() => void check(), intervalMs) : null;
  timer?.unref();
  return {
    check,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
