// The reloader, start to stop: options → the running master a killed reloader left, if any → syslog
// target + certificates + rendered base config → first snapshot → HAProxy (a master-worker child, or
// that master, adopted) → watch the inputs → check, snapshot, reload, confirm.
import type { Logger } from "@rancher-haproxy/core";
import { adoptMaster } from "./adopt/adopt-master.js";
import type { CertificateManager } from "./certs/certificate-manager.js";
import { findRunningMaster, type FoundMaster } from "./adopt/find-running-master.js";
import { retireStaleMaster } from "./adopt/retire-stale-master.js";
import { HaproxySupervisor } from "./haproxy/haproxy-supervisor.js";
import { logHaproxyLine } from "./haproxy/log-haproxy-line.js";
import { openStdoutFifo, type StdoutFifo } from "./haproxy/stdout-fifo.js";
import type { ReloaderOptions } from "./options/reloader-options.js";
import { stateLayout, type StateLayout } from "./output/snapshot-layout.js";
import { ConfigApplier } from "./reload/config-applier.js";
import { createTcpPortReport } from "./reload/report-tcp-ports.js";
import { SnapshotStore } from "./reload/snapshot-store.js";
import { stopIfAsked } from "./setup/abortable-step.js";
import { lockStateDir } from "./setup/lock-state-dir.js";
import { prepareStart } from "./setup/prepare-start.js";
import { prepareStateDir } from "./setup/prepare-state-dir.js";
import { ReloaderStatus } from "./state/reloader-status.js";
import { startReloaderStatus } from "./status/start-reloader-status.js";
import { watchInputs } from "./watch/watch-inputs.js";

// A running reloader: its status, a promise that rejects if HAProxy cannot be kept up, and stop().
export interface RunningReloader {
  readonly status: ReloaderStatus;
  readonly failed: Promise<never>;
  stop(): Promise<void>;
  /** synchronous last resort on process exit: SIGKILL HAProxy if it still runs */
  killNow(): void;
}

// Start everything; throws StartupError when the configuration is unusable, StartStoppedError when
// `stop` aborts before HAProxy runs (once it runs, or a running master is found, the start completes and
// the caller stops it).
export async function startReloader(
  options: ReloaderOptions,
  logger: Logger,
  stop?: AbortSignal,
): Promise<RunningReloader> {
  logger.info({ event: "reloader.starting", options: describeOptions(options) }, "reloader starting");
  // The state dir first: it is private (the config and PEM HAProxy loads live there) and one reloader's.
  const layout = stateLayout(options.stateDir);
  await prepareStateDir(layout.dir, [options.backendConfig, options.domainMap]);
  const stateLock = await lockStateDir(layout.lockFile, layout.dir);
  try {
    return await startLocked(options, logger, layout, stateLock.release, stop);
  } catch (error) {
    stateLock.release();
    throw error;
  }
}

async function startLocked(
  options: ReloaderOptions,
  logger: Logger,
  layout: StateLayout,
  unlock: () => void,
  stop: AbortSignal | undefined,
): Promise<RunningReloader> {
  // A live master of ours first: when there is one, no step of the start is abandoned on a stop (the
  // master is adopted, then the stop ends it gracefully); without one, a stop ends the start at once.
  const found = await findRunningMaster(layout, options.reloadTimeoutMs, logger);
  if (found.kind === "stale") await retireStaleMaster(found.pid, found.startTime, logger);
  const abandon = found.kind === "running" ? undefined : stop;
  const certificates = await prepareStart(options, layout, logger, abandon);
  // HAProxy's stdout (access logs with SYSLOG_HOST=stdout) through the state dir's FIFO, so a reloader
  // started again after a crash keeps logging what the adopted HAProxy writes.
  const stdoutFifo = await openStdoutFifo(
    layout.stdoutFifo,
    (line) => logHaproxyLine(logger, "stdout", line),
    logger,
  );
  try {
    return await startSupervised({
      options,
      logger,
      layout,
      unlock,
      stop: abandon,
      found,
      certificates,
      stdoutFifo,
    });
  } catch (error) {
    stdoutFifo?.close();
    throw error;
  }
}

// What the supervised part of the start works with.
interface StartContext {
  options: ReloaderOptions;
  logger: Logger;
  layout: StateLayout;
  unlock: () => void;
  /** aborted by a stop; undefined once a running master was found (it is adopted whatever comes) */
  stop: AbortSignal | undefined;
  found: FoundMaster;
  certificates: CertificateManager | null;
  stdoutFifo: StdoutFifo | null;
}

// The first snapshot, HAProxy started or adopted, the status listener and the watcher.
async function startSupervised(context: StartContext): Promise<RunningReloader> {
  const { options, logger, layout, unlock, stop, found, certificates, stdoutFifo } = context;
  const status = new ReloaderStatus();
  let giveUp: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => (giveUp = reject));
  failed.catch(() => undefined);
  const supervisor = new HaproxySupervisor({
    bin: options.haproxyBin,
    layout,
    reloadTimeoutMs: options.reloadTimeoutMs,
    maxRestarts: options.maxRestarts,
    logger,
    status,
    stdoutFifo,
    onGiveUp: giveUp,
  });
  // The base config is read from the private state dir; only the two generated files are watched.
  const inputs = { base: layout.baseConfig, backends: options.backendConfig, map: options.domainMap };
  const store = new SnapshotStore(options.haproxyBin, layout, logger, options.serverSlots);
  const applier = new ConfigApplier({
    store,
    inputs,
    logger,
    status,
    supervisor,
    retryMs: options.debounceMs,
    runtimeUpdates: options.runtimeUpdates,
    slotsPerBlock: options.serverSlots,
    ...(options.userConfig === null
      ? { onChecked: createTcpPortReport(options.tcpPorts, logger, status) }
      : {}),
  });

  stopIfAsked(stop, "before the first check");
  const generation = await applier.prepareInitial();
  logger.info({ event: "start.snapshot", generation }, `starting HAProxy from gen-${generation}`);
  if (found.kind === "running") await adoptMaster(found, supervisor, logger);
  else {
    stopIfAsked(stop, "before HAProxy's start");
    await supervisor.start();
  }

  certificates?.start(supervisor);
  const statusServer = await startReloaderStatus({ options, status, layout, inputs, logger, certificates });
  const watcher = watchInputs(
    [inputs.backends, inputs.map],
    options.debounceMs,
    (since) => applier.notifyChange(since),
    logger,
  );
  await watcher.ready;
  applier.notifyChange(); // anything written between the first snapshot and the watcher being ready
  const rescan =
    options.rescanIntervalMs > 0 ? setInterval(() => applier.notifyRescan(), options.rescanIntervalMs) : null;
  rescan?.unref();
  logger.info(
    { event: "reloader.ready", watching: [inputs.backends, inputs.map] },
    "watching the input files",
  );

  return {
    status,
    failed,
    async stop() {
      logger.info({ event: "reloader.stopping" }, "stopping");
      if (rescan) clearInterval(rescan);
      await statusServer?.close();
      await watcher.close();
      await certificates?.close();
      applier.close();
      // One budget for the whole stop (--stop-timeout, then 3 s to SIGKILL), so it ends within a
      // container's stop grace: a pass in flight (a reload, a check) gets at most half of it.
      const deadline = performance.now() + options.stopTimeoutMs;
      const passWait = Math.min(options.reloadTimeoutMs, options.stopTimeoutMs / 2);
      await Promise.race([applier.idle(), delay(passWait)]);
      await supervisor.stop(Math.max(0, Math.round(deadline - performance.now())));
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

// The options for the start-up log line, without the stats password.
function describeOptions(options: ReloaderOptions): Record<string, unknown> {
  const status = { ...options.status, token: options.status.token ? "[redacted]" : null };
  return { ...options, stats: { ...options.stats, password: "[redacted]" }, status };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
