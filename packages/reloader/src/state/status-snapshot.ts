// The reloader's status as a plain object (ReloaderStatus.snapshot) and the values it is made of.
import type { ReloadReason } from "../model/plan-update.js";

// Results a reload attempt can have (`unconfirmed`: not confirmed in time, and the master's next answer
// gave no verdict on it).
export type ReloadResult =
  "applied" | "check-failed" | "rejected" | "interrupted" | "deferred" | "unconfirmed";

// A backend of the applied files that asks for HTTPS (its `https` option).
export interface HttpsBackend {
  name: string;
  https: "redirect" | "only";
}

// A generated backend left out of the snapshots because a section of the base config has its name.
export interface RefusedBackendStatus {
  backend: string;
  /** the section of the base config, `backend legacy` */
  section: string;
  /** its header's line in the base config */
  line: number;
  /** domain.map lines that named the backend, left out with it */
  hosts: number;
}

// A plain copy of the status for JSON answers and tests.
export interface StatusSnapshot {
  haproxyPid: number | null;
  workerPid: number | null;
  /** the master's reload counter: the worker generation */
  masterReloads: number;
  /** the snapshot generation `current` points at */
  currentGeneration: number | null;
  /** the generation the running worker was confirmed with (`current` moves before a reload is confirmed) */
  runningGeneration: number | null;
  /** runtime steps toward this gen-<n> failed partway and no worker was confirmed since: the running one
   * may run part of them on top of runningGeneration (HAProxy runs every command of a line) */
  partialStepsToward: number | null;
  reloads: Record<ReloadResult, number>;
  restarts: number;
  lastReloadDurationMs: number | null;
  lastChangeToAppliedMs: number | null;
  lastError: string | null;
  /** a change that did not go live (reload refused, timed out, interrupted, an error) waits for this retry */
  retry: { attempt: number; at: number; reason: string } | null;
  /** failed attempts to apply a change that were scheduled for a retry */
  applyRetries: number;
  /** the inputs (by hash) the checks refused: they stay refused until the files change */
  refusedInputs: { hash: string; reason: string } | null;
  /** reloads started for a change, by why the change could not be applied at runtime */
  reloadsByReason: Partial<Record<ReloadReason, number>>;
  /** changes applied through the runtime API, and the last read-back after runtime steps */
  runtime: {
    updates: number;
    readbackMismatches: number;
    lastReadback: { ok: boolean; at: number; detail: string } | null;
  };
  /** public ports of the running backends file's tcp_<port> backends that TCP_PORTS does not list */
  unlistedTcpPorts: number[];
  /** those of them that are another listener's port (HTTP_PORT, …): that listener gets their connections */
  takenTcpPorts: { port: number; listener: string }[];
  /** the running backends file's backends with `https=redirect|only`, while ENABLE_SSL is off (by name) */
  httpsWithoutListener: HttpsBackend[];
  /** generated backends of the inputs last read that a section of the base config names: left out */
  refusedBackends: RefusedBackendStatus[];
  /** the input files' watch failed (its first error) and is not re-armed yet: only the rescan sees changes */
  inputWatchProblem: string | null;
  /** since when (ms epoch) the master has not answered the periodic show proc (null: it answers) */
  masterCliSilentSince: number | null;
  /** since when (ms epoch) the backends file is empty, once that lasted a check interval and was logged
   * (`inputs.backends-empty`; null: not empty, or not for that long yet) */
  backendsEmptySince: number | null;
  /** the domain map empty while the backends file declares stack backends, once that lasted a check
   * interval and was logged (`inputs.map-empty`; null: not so, or not for that long yet) */
  mapEmpty: EmptyMap | null;
  /** stacks of the backends file no line of a non-empty domain map reaches, once that lasted a check
   * interval and was logged (`inputs.map-stale`; null: none, or not for that long yet) */
  mapStale: StaleMap | null;
  /** why a reload waits for old workers to end (reload/old-workers-cap.ts; null: none is held) */
  reloadHeld: string | null;
  /** holds of a reload for old workers so far (each `reload.held`), and whether one lasts now (from
   * `reload.held` to `reload.released`; an unsettled read meanwhile ends none) */
  reloadHolds: { started: number; active: boolean };
}

// A domain map found empty while the backends file declares stack backends (watch/report-empty-map.ts).
export interface EmptyMap {
  /** ms since the epoch */
  since: number;
  path: string;
  /** the stack (not tcp_<port>) backends the backends file declares */
  backendCount: number;
}

// Stacks of the backends file that no line of a non-empty domain map reaches (watch/report-stale-map.ts).
export interface StaleMap {
  /** ms since the epoch */
  since: number;
  path: string;
  /** how many stacks no map line reaches */
  stackCount: number;
  /** the first few of them, in the backends file's order */
  stacks: string[];
}
