// The supervised part of a reloader's start and its stop: the first snapshot, HAProxy started (or the
// running master adopted), the status listener and the watcher; then one stop within --stop-timeout.
import { adoptMaster } from "../adopt/adopt-master.js";
import { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import { probeMasterCli } from "../haproxy/probe-master-cli.js";
import { ConfigApplier } from "../reload/config-applier.js";
import { SnapshotStore } from "../reload/snapshot-store.js";
import { readHostName } from "../sources/read-host-name.js";
import { readAdoptedGeneration, readSnapshotBackends } from "../sources/read-state-dir.js";
import { clearKept, pointKept } from "../output/kept-link.js";
import { ReloaderStatus } from "../state/reloader-status.js";
import { startReloaderStatus } from "../status/start-reloader-status.js";
import { EMPTY_BACKENDS_GRACE_MAX_MS, reportEmptyBackends } from "../watch/report-empty-backends.js";
import { reportEmptyMap } from "../watch/report-empty-map.js";
import { parsedOfValidation, type ParsedInputs } from "../watch/parsed-inputs.js";
import { reportStaleMap } from "../watch/report-stale-map.js";
import { watchInputs } from "../watch/watch-inputs.js";
import { stopIfAsked } from "./abortable-step.js";
import { createBackendReports } from "./create-backend-reports.js";
import type { RunningReloader } from "./running-reloader.js";
import type { StartContext } from "./start-context.js";

// The first snapshot, HAProxy started or adopted, the status listener and the watcher.
export async function startSupervised(context: StartContext): Promise<RunningReloader> {
  const { options, logger, layout, unlock, stop, found, certificates, stdoutFifo } = context;
  const status = new ReloaderStatus();
  let giveUp: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (giveUp = reject));
  failed.catch(() => undefined);
  const reports = options.userConfig === null ? createBackendReports(options, logger, status) : null;
  // A reload refused after the reports heard of its snapshot (an adoption's) points `current` back at
  // the snapshot the workers run: the reports describe its backends, not those of the one refused.
  const reportSnapshot = async (generation: number): Promise<void> => {
    const running = reports === null ? null : await readSnapshotBackends(layout, generation);
    if (running !== null) reports?.(running);
  };
  const supervisor = new HaproxySupervisor({
    bin: options.haproxyBin,
    layout,
    reloadTimeoutMs: options.reloadTimeoutMs,
    maxRestarts: options.maxRestarts,
    logger,
    status,
    stdoutFifo,
    onGiveUp: giveUp,
    onPointedBack: reportSnapshot,
    // A restart or a certificates' reload loads `current`: staged again first after a host rename.
    beforeLoad: (): Promise<void> => applier.refreshCurrent(),
  });
  // The base config is read from the private state dir; only the two generated files are watched.
  const inputs = { base: layout.baseConfig, backends: options.backendConfig, map: options.domainMap };
  // The inputs' table as the store last validated them, for the stale-map report (no second parse).
  let parsedInputs: ParsedInputs | null = null;
  const store = new SnapshotStore(options.haproxyBin, layout, logger, options.serverSlots, {
    onRefused: (refused) => status.backendsRefused(refused),
    environment: options.environment,
    sections: context.baseSections, // read at start: not read again from the same bytes
    self: context.self,
    // What `current` points at, pointed back too (a refused reload): the host name it was validated with.
    currentGeneration: () => status.currentGeneration(),
    // With a --config only: the rendered base config names no section after the host.
    ...(options.userConfig ? { hostName: readHostName } : {}),
    onValidated: (files, validated) => (parsedInputs = parsedOfValidation(files, validated, inputs)),
  });
  const applier = new ConfigApplier({
    store,
    inputs,
    logger,
    status,
    supervisor,
    retryMs: options.debounceMs,
    runtimeUpdates: options.runtimeUpdates,
    slotsPerBlock: options.serverSlots,
    ...(reports === null ? {} : { onRunning: reports }),
  });

  stopIfAsked(stop, "before the first check");
  // What an adopted master's workers run, as far as the state dir knows: the `kept` link of a switch a
  // killed reloader left without a verdict, unless the master counted that reload good since (found by
  // a review: a refused adoption reload pointed `current` at the snapshot before it), else `current`
  // before the start moves it; kept as the link until the adoption's reload is judged (a reloader
  // killed before then leaves it for the next). A
  // master started afresh runs `current`: a link left about a master that is gone is removed first, or
  // a reloader killed before this master is ready left it naming a snapshot it never ran (found by a
  // review: the next one adopted it and, its reload refused, pointed `current` "back" there).
  const previous = found.kind === "running" ? await readAdoptedGeneration(layout, found.info) : null;
  if (previous !== null) await pointKept(layout, previous);
  else await clearKept(layout);
  const generation = await applier.prepareInitial(found.kind === "running");
  logger.info({ event: "start.snapshot", generation }, `starting HAProxy from gen-${generation}`);
  // A stop that came before the adoption (a reloader the entrypoint started again during a stop, given
  // it): the master is adopted without a reload and stopped, and the applier's first pass does not plan it.
  const stopping = found.kind === "running" && context.stopAsked?.aborted === true;
  if (found.kind === "running") {
    await adoptMaster(found, supervisor, logger, { layout, status, previous, stopping });
    // A refused adoption reload pointed `current` back at the snapshot the workers run (one refused
    // late does so when the master answers again: onPointedBack).
    const back = status.snapshot().currentGeneration;
    if (back !== generation && back !== null) await reportSnapshot(back);
  } else {
    stopIfAsked(stop, "before HAProxy's start");
    await supervisor.start();
  }

  certificates?.start(supervisor);
  // The pace of the checks beside the rescan (the watch's re-arm, the master's CLI): 10 s when it is off.
  const recheckMs = options.rescanIntervalMs > 0 ? options.rescanIntervalMs : 10_000;
  const statusServer = await startReloaderStatus({ options, status, layout, inputs, logger, certificates });
  const watcher = watchInputs(
    [inputs.backends, inputs.map],
    options.debounceMs,
    (since) => applier.notifyChange(since),
    logger,
    // A failed or stranded watch is re-armed at the rescan's pace.
    {
      intervalMs: recheckMs,
      onProblem: (problem) => status.inputWatch(problem),
    },
  );
  await watcher.ready;
  // Anything written between the first snapshot and the watcher being ready.
  if (!stopping) applier.notifyChange();
  const rescan =
    options.rescanIntervalMs > 0 ? setInterval(() => applier.notifyRescan(), options.rescanIntervalMs) : null;
  rescan?.unref();
  const masterProbe = probeMasterCli(supervisor, status, logger, recheckMs);
  // Empty a rescan interval after the start (at most 30 s): generate-maps writes at its first metadata
  // answer, within moments, so a normal first start logs nothing; still empty then, it never wrote it.
  // The same pace for a map left empty beside stack backends, or one reaching none of some stacks (a map
  // generate-maps does not write).
  const emptyPace = Math.min(recheckMs, EMPTY_BACKENDS_GRACE_MAX_MS);
  const emptyBackends = reportEmptyBackends(inputs.backends, inputs.map, status, logger, emptyPace);
  const emptyMap = reportEmptyMap(inputs.map, inputs.backends, status, logger, emptyPace);
  const staleMap = reportStaleMap(() => parsedInputs, inputs.map, status, logger, emptyPace);
  logger.info(
    { event: "reloader.ready", watching: [inputs.backends, inputs.map] },
    "watching the input files",
  );

  return {
    status,
    failed,
    async stop(since?: number) {
      // One budget for the whole stop (--stop-timeout, then 3 s to SIGKILL), from its signal (`since`) or
      // its first step, so it ends within a container's stop grace: the passes in flight (a reload, a
      // check, a certificate pass) get at most half of what is left of it, together. Until 2026-12-05 it
      // ran from here also when the signal came during the start (an adoption's metadata reads, up to 5 s
      // each; HAProxy's first parse), so the whole --stop-timeout came again after the start completed.
      const deadline = (since ?? performance.now()) + options.stopTimeoutMs;
      const passWait = Math.min(options.reloadTimeoutMs, Math.max(0, deadline - performance.now()) / 2);
      logger.info({ event: "reloader.stopping" }, "stopping");
      if (rescan) clearInterval(rescan);
      masterProbe.close();
      emptyBackends.close();
      emptyMap.close();
      staleMap.close();
      // The listener stops taking connections at once; its answers in flight (up to 2 s) finish beside
      // the rest of the stop instead of before it, which took them off HAProxy's drain time.
      const statusClosed = statusServer?.close();
      await watcher.close();
      const certificatesClosed = certificates?.close();
      applier.close();
      await Promise.race([Promise.all([certificatesClosed, applier.idle()]), delay(passWait)]);
      await supervisor.stop(Math.max(0, Math.round(deadline - performance.now())));
      await statusClosed;
      stdoutFifo?.close();
      unlock();
      logger.info({ event: "reloader.stopped" }, "stopped");
    },
    killNow: () => {
      supervisor.killNow();
      unlock();
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
