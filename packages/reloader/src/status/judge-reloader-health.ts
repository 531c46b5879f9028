// /healthz's verdict for the reloader: HAProxy runs (a master with a confirmed worker) and the files
// on disk are the ones it runs; a change still inside its apply window (debounce + check + reload) is
// "applying", not a failure, unless the checks already refused those very files or a reload of them
// failed and waits for its retry.
import type { StatusSnapshot } from "../state/status-snapshot.js";
import type { AppliedState } from "./read-applied-state.js";
import { httpsListenerWarnings } from "./https-listener-warnings.js";
import { unlistedTcpWarnings } from "./unlisted-tcp-warnings.js";
import { mapLines } from "../model/without-clashing-backends.js";

// The answer: healthy or not, and a JSON body saying why.
export interface ReloaderHealth {
  healthy: boolean;
  body: {
    status: "ok" | "applying" | "failing";
    reason: string;
    haproxy: { running: boolean; pid: number | null; workerPid: number | null; workerGeneration: number };
    /** the gen-<n> the running worker was confirmed with */
    runningGeneration: number | null;
    inputsApplied: boolean;
    inputsChangedSecondsAgo: number | null;
    /** a change that did not go live waits for this attempt, due in `inSeconds` */
    retry: { attempt: number; inSeconds: number; reason: string } | null;
    lastError: string | null;
    /** changes applied through the runtime API, and the last read-back (`at`: ISO time) */
    runtime: { updates: number; lastReadback: { ok: boolean; at: string; detail: string } | null };
    /** what needs a look but does not make HAProxy unhealthy (a backends file generate-maps never wrote,
     * a failed file watch, TCP backends nothing listens for: bounded) */
    warnings: string[];
  };
}

// Judges at `now`; `graceMs` is how long a changed input may wait to be applied.
export function judgeReloaderHealth(
  status: StatusSnapshot,
  applied: AppliedState,
  now: number,
  graceMs: number,
): ReloaderHealth {
  const running = status.haproxyPid !== null && status.workerPid !== null;
  const sinceChange = applied.changedAt === null ? null : Math.max(0, now - applied.changedAt);
  const body = {
    haproxy: {
      running,
      pid: status.haproxyPid,
      workerPid: status.workerPid,
      workerGeneration: status.masterReloads,
    },
    runningGeneration: status.runningGeneration,
    inputsApplied: applied.applied,
    inputsChangedSecondsAgo: sinceChange === null ? null : Math.round(sinceChange / 100) / 10,
    retry: status.retry && {
      attempt: status.retry.attempt,
      inSeconds: Math.max(0, Math.round((status.retry.at - now) / 100) / 10),
      reason: status.retry.reason,
    },
    lastError: status.lastError,
    runtime: {
      updates: status.runtime.updates,
      lastReadback: status.runtime.lastReadback && {
        ...status.runtime.lastReadback,
        at: new Date(status.runtime.lastReadback.at).toISOString(),
      },
    },
    warnings: [
      ...(applied.emptyBackends === null
        ? []
        : [
            `${applied.emptyBackends} is empty: generate-maps, which always writes a header line, has not ` +
              "written it, and no host reaches a stack until it does; if this lasts, check that " +
              "generate-maps runs and writes the paths the reloader reads (HAPROXY_BACKEND_CONFIG, " +
              "HAPROXY_DOMAIN_MAP)",
          ]),
      ...(status.mapEmpty === null
        ? []
        : [
            `${status.mapEmpty.path} is empty while the backends file declares ${status.mapEmpty.backendCount} ` +
              "stack backend(s), whose host lines generate-maps writes with them: no host reaches a stack; " +
              "check that both programs use the same HAPROXY_DOMAIN_MAP, and generate-maps' write-failed lines",
          ]),
      ...(status.mapStale === null
        ? []
        : [
            `no line of ${status.mapStale.path} reaches ${status.mapStale.stackCount} stack(s) the backends ` +
              `file declares (${status.mapStale.stacks.join(", ")}), though generate-maps writes a host ` +
              "line for each: the map read is not the one it writes (a stale file) and their hosts get 503; " +
              "check that both programs use the same HAPROXY_DOMAIN_MAP, and generate-maps' write-failed lines",
          ]),
      ...(status.inputWatchProblem === null
        ? []
        : [
            `the input files' watch failed (${status.inputWatchProblem}): changes are seen by the rescan ` +
              "only (--rescan-interval) until the watch is re-armed, which is tried at each rescan",
          ]),
      ...(status.masterCliSilentSince === null
        ? []
        : [
            `HAProxy's master has not answered its CLI (show proc) since ` +
              `${new Date(status.masterCliSilentSince).toISOString()}: a change cannot be applied until it ` +
              "does (its workers may still serve)",
          ]),
      ...unlistedTcpWarnings(status.unlistedTcpPorts, status.takenTcpPorts),
      ...httpsListenerWarnings(status.httpsWithoutListener),
      ...status.refusedBackends.map(
        (refused) =>
          `backend ${refused.backend} of the generated files is left out, with its ${mapLines(refused.hosts)}: ` +
          `your base config's ${refused.section} (line ${refused.line}) has its name, ` +
          "and HAProxy cannot load both (rename your section and restart the reloader)",
      ),
    ],
  };
  const lastError = status.lastError ? ` (last error: ${status.lastError})` : "";
  if (!running)
    return {
      healthy: false,
      body: { status: "failing", reason: `HAProxy is not running${lastError}`, ...body },
    };
  const partial = status.partialStepsToward;
  // Not while the worker may run part of a failed change's runtime steps on top of those files.
  if (applied.applied && partial === null)
    return {
      healthy: true,
      body: {
        status: "ok",
        reason: `HAProxy runs the current files (gen-${body.runningGeneration})`,
        ...body,
      },
    };
  const steps = partial === null ? "" : ` with part of the runtime steps toward gen-${partial}`;
  // Null while running: a master adopted at start and not reloaded since (its reload held for old
  // workers, refused, or not planned for inputs refused at that start): it runs what it had loaded.
  const runs =
    body.runningGeneration === null
      ? "the config the adopted master had loaded (not reloaded since the adoption)"
      : `gen-${body.runningGeneration}`;
  const keeps = `HAProxy keeps running ${runs}${steps}`;
  const refused = status.refusedInputs;
  if (refused !== null && applied.hash === refused.hash)
    return {
      healthy: false,
      body: {
        status: "failing",
        reason: `the files on disk are refused (${refused.reason}); ${keeps}`,
        ...body,
      },
    };
  // A failure on record stays red while the retry's pass is held for old workers (it checked nothing).
  if (body.retry !== null) {
    const next =
      status.reloadHeld === null
        ? `retry ${body.retry.attempt} in ${body.retry.inSeconds} s`
        : `the retry is held (${status.reloadHeld})`;
    return {
      healthy: false,
      body: { status: "failing", reason: `${body.retry.reason}; ${keeps}, ${next}`, ...body },
    };
  }
  // Held for old workers: they end within hard-stop-after (as their connections do under a --config that
  // sets none, which the reason says), and the reload follows (no check failed). An adopted master's
  // config is unknown until that reload (readable inputs, no running generation).
  const unknownOnly = applied.generation === null && applied.hash !== null;
  if (status.reloadHeld !== null && (applied.problem === null || unknownOnly))
    return {
      healthy: true,
      body: { status: "applying", reason: `${status.reloadHeld}; ${keeps}`, ...body },
    };
  if (sinceChange !== null && sinceChange <= graceMs && applied.problem === null)
    return {
      healthy: true,
      body: { status: "applying", reason: "the files changed and are being applied", ...body },
    };
  const what = applied.problem ?? "the files on disk differ from the ones HAProxy runs";
  return {
    healthy: false,
    body: {
      status: "failing",
      reason: `${what}; ${keeps}${lastError}`,
      ...body,
    },
  };
}
