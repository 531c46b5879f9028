// The log line and status of a supervised master that exited when no stop asked it to.
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";

// Says haproxy.exited (and /healthz restarted) for `child`; returns how long it served, what the restart
// policy counts. An adopted master's end is seen by polling, without code or signal: said so (until
// 2026-12-06 "exited with code ? unexpectedly").
export function reportUnexpectedExit(
  child: HaproxyChild,
  exit: HaproxyExit,
  startedAt: number,
  readyAt: number | null,
  options: { logger: Logger; status: ReloaderStatus },
): number {
  const uptimeMs = Math.round(performance.now() - startedAt);
  // A master that never became ready (killed after the reload timeout) ran for nothing: a failure,
  // however long it took (counted from its spawn, 10 s of waiting reset the restart count each time).
  const servedMs = readyAt === null ? 0 : Math.round(performance.now() - readyAt);
  const reason = exit.signal
    ? `killed by ${exit.signal}`
    : exit.code !== null
      ? `exited with code ${exit.code}`
      : "exited (adopted, not the reloader's child: its exit status cannot be read)";
  options.logger.error(
    { event: "haproxy.exited", pid: child.pid, code: exit.code, signal: exit.signal, uptimeMs, servedMs },
    `HAProxy ${reason} unexpectedly`,
  );
  options.status.restarted(`HAProxy ${reason}`);
  return servedMs;
}
