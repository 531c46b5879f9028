// The reloader's Prometheus metrics, on a registry of its own, read from ReloaderStatus at scrape time:
// reloads by result, check failures, retries of changes that did not go live, durations, HAProxy
// restarts, the running generations and the connections the status listener dropped.
// (HAProxy's own exporter stays on the stats port.)
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import {
  connectionDropsCounter,
  EVENT_LOOP_SAMPLE_MS,
  unauthorizedCounter,
  busyCounter,
  type ConnectionDrops,
} from "@rancher-haproxy/core";
import { RELOAD_REASONS } from "../model/plan-update.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { ReloadResult } from "../state/status-snapshot.js";
import type { AppliedState } from "./read-applied-state.js";

// The label value of each reload result: `ok` for an applied (confirmed) reload.
export const RESULT_LABELS: Readonly<Record<ReloadResult, string>> = {
  applied: "ok",
  "check-failed": "check_failed",
  rejected: "rejected",
  interrupted: "interrupted",
  deferred: "deferred",
  unconfirmed: "unconfirmed",
};

// Creates the registry; `applied` compares the files on disk with the running snapshot, `now` is the clock,
// `drops` what the status listener dropped.
export function createReloaderMetrics(
  status: ReloaderStatus,
  applied: () => Promise<AppliedState>,
  now: () => number,
  drops: Readonly<ConnectionDrops>,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const registers = [registry];
  const snap = () => status.snapshot();
  new Counter({
    name: "reloader_reloads_total",
    help: "Reload attempts by result: ok (confirmed by show proc), check_failed (haproxy -c), rejected (the master kept the old workers), interrupted, deferred (HAProxy was down), unconfirmed; a reload not confirmed in time is counted once the master answers again, by its verdict (unconfirmed: none)",
    labelNames: ["result"],
    registers,
    collect() {
      const { reloads } = snap();
      this.reset();
      for (const [result, label] of Object.entries(RESULT_LABELS))
        this.inc({ result: label }, reloads[result as ReloadResult]);
    },
  });
  new Counter({
    name: "reloader_check_failures_total",
    help: "Input changes that failed haproxy -c (or could not be read); HAProxy kept its running config",
    registers,
    collect() {
      this.reset();
      this.inc(snap().reloads["check-failed"]);
    },
  });
  new Counter({
    name: "reloader_apply_retries_total",
    help: "Changes that did not go live (reload refused, timed out or interrupted, HAProxy down, an error) and were scheduled to be tried again",
    registers,
    collect() {
      this.reset();
      this.inc(snap().applyRetries);
    },
  });
  new Counter({
    name: "reloader_reloads_by_reason_total",
    help: "Reloads started for a change, by why it could not be applied through the runtime API: state-unknown, runtime-disabled, base-changed, backends-changed, backend-options-changed, server-options-changed, slots-exhausted, too-many-steps (more than 5 000 runtime steps), runtime-fallback, certificates (a certificate change the runtime API could not apply)",
    labelNames: ["reason"],
    registers,
    collect() {
      this.reset();
      // Every reason from the start (0): a series that appears at 1 gives increase() nothing to count.
      const counts = snap().reloadsByReason;
      for (const reason of RELOAD_REASONS) this.inc({ reason }, counts[reason] ?? 0);
    },
  });
  new Counter({
    name: "reloader_runtime_updates_total",
    help: "Changes applied through HAProxy's runtime API without a reload (read back and confirmed)",
    registers,
    collect() {
      this.reset();
      this.inc(snap().runtime.updates);
    },
  });
  new Counter({
    name: "reloader_readback_mismatches_total",
    help: "Read-backs after runtime steps that differed from the snapshot (each followed by a reload)",
    registers,
    collect() {
      this.reset();
      this.inc(snap().runtime.readbackMismatches);
    },
  });
  gauge(
    registry,
    "reloader_last_readback_ok",
    "1 when the last read-back after runtime steps matched the snapshot (or none happened yet), else 0",
    (g) => g.set(snap().runtime.lastReadback?.ok === false ? 0 : 1),
  );
  gauge(
    registry,
    "reloader_tcp_backends_unlisted",
    "tcp_<port> backends in the applied files whose port TCP_PORTS does not list (nothing listens for them)",
    (g) => g.set(snap().unlistedTcpPorts.length),
  );
  gauge(
    registry,
    "reloader_https_backends_without_listener",
    "backends in the applied files with https=redirect or https=only while ENABLE_SSL is off",
    (g) => g.set(snap().httpsWithoutListener.length),
  );
  gauge(
    registry,
    "reloader_backends_refused",
    "generated backends left out (with their domain.map lines) because a section of the base config has their name",
    (g) => g.set(snap().refusedBackends.length),
  );
  gauge(
    registry,
    "reloader_apply_retry_pending",
    "1 while a change that did not go live waits for its next attempt, else 0",
    (g) => g.set(snap().retry === null ? 0 : 1),
  );
  gauge(
    registry,
    "reloader_reload_held",
    "1 while a reload waits because HAProxy's master lists 20 old workers still finishing their connections (from reload.held to reload.released), else 0",
    (g) => g.set(snap().reloadHolds.active ? 1 : 0),
  );
  new Counter({
    name: "reloader_reload_holds_total",
    help: "Times a reload started to wait for one of 20 old HAProxy workers to end (each reload.held)",
    registers,
    collect() {
      this.reset();
      this.inc(snap().reloadHolds.started);
    },
  });
  new Counter({
    name: "reloader_haproxy_restarts_total",
    help: "Times HAProxy exited unexpectedly and was restarted",
    registers,
    collect() {
      this.reset();
      this.inc(snap().restarts);
    },
  });
  new Counter({ ...connectionDropsCounter("reloader", drops), registers });
  new Counter({ ...unauthorizedCounter("reloader", drops), registers });
  new Counter({ ...busyCounter("reloader", drops), registers });
  gauge(
    registry,
    "reloader_last_reload_duration_seconds",
    "Duration of the last applied change: check, switch, reload, confirm (0: none yet)",
    (g) => g.set((snap().lastReloadDurationMs ?? 0) / 1000),
  );
  gauge(
    registry,
    "reloader_last_change_to_applied_seconds",
    "From the first file event of the last applied change to its runtime update or confirmed reload (0: none yet)",
    (g) => g.set((snap().lastChangeToAppliedMs ?? 0) / 1000),
  );
  gauge(registry, "reloader_haproxy_up", "1 while an HAProxy master with a confirmed worker runs", (g) => {
    const s = snap();
    g.set(s.haproxyPid !== null && s.workerPid !== null ? 1 : 0);
  });
  gauge(
    registry,
    "reloader_worker_generation",
    "Generation of the running worker: the master's reload counter (show proc)",
    (g) => g.set(snap().masterReloads),
  );
  gauge(
    registry,
    "reloader_config_generation",
    "The snapshot (gen-<n>) the running worker was confirmed with (0: none)",
    (g) => g.set(snap().runningGeneration ?? 0),
  );
  gauge(
    registry,
    "reloader_master_cli_ok",
    "0 while HAProxy's master has not answered the periodic show proc (2 probes in a row), else 1",
    (g) => g.set(snap().masterCliSilentSince === null ? 1 : 0),
  );
  gauge(
    registry,
    "reloader_input_watch_ok",
    "1 while the input files are watched, 0 after the watch failed (e.g. the inotify limit) until it is re-armed: only the rescan sees changes then",
    (g) => g.set(snap().inputWatchProblem === null ? 1 : 0),
  );
  gauge(
    registry,
    "reloader_backends_file_empty",
    "1 while the backends file has stayed empty (0 bytes: generate-maps, which always writes a header line, has not written it) for a rescan interval, at most 30 s (from inputs.backends-empty to inputs.backends-written), else 0",
    (g) => g.set(snap().backendsEmptySince === null ? 0 : 1),
  );
  gauge(
    registry,
    "reloader_domain_map_empty",
    "1 while the domain map has stayed empty (0 bytes) for a rescan interval, at most 30 s, while the backends file declares stack backends (not tcp_<port>), whose host lines generate-maps writes with them: the map read is not the one it writes (from inputs.map-empty to inputs.map-empty-cleared), else 0",
    (g) => g.set(snap().mapEmpty === null ? 0 : 1),
  );
  gauge(
    registry,
    "reloader_domain_map_unrouted_stacks",
    "How many stacks the backends file declares (not tcp_<port>) no line of the non-empty domain map reaches, for a rescan interval, at most 30 s: generate-maps writes a host line for at least one backend of each, so the map read is not the one it writes, a stale file (from inputs.map-stale to inputs.map-stale-cleared), else 0",
    (g) => g.set(snap().mapStale?.stackCount ?? 0),
  );
  new Gauge({
    name: "reloader_inputs_applied",
    help: "1 when the files on disk are the ones HAProxy runs, 0 while a change waits or failed",
    registers,
    async collect() {
      this.set((await applied()).applied ? 1 : 0);
    },
  });
  new Gauge({
    name: "reloader_inputs_pending_seconds",
    help: "Seconds since the files on disk changed without being applied (0 when applied)",
    registers,
    async collect() {
      const state = await applied();
      const pending = !state.applied && state.changedAt !== null ? (now() - state.changedAt) / 1000 : 0;
      this.set(Math.max(0, pending));
    },
  });
  return registry;
}

// A gauge whose value is computed when Prometheus scrapes.
function gauge(registry: Registry, name: string, help: string, update: (gauge: Gauge) => void): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      update(this);
    },
  });
}
