// The reloader, start to stop: options → the running master a killed reloader left, if any → syslog
// target + certificates + rendered base config → first snapshot → HAProxy (a master-worker child, or
// that master, adopted) → watch the inputs → check, snapshot, reload, confirm.
import type { Logger } from "@rancher-haproxy/core";
import { findRunningMaster } from "./adopt/find-running-master.js";
import { retireStaleMaster } from "./adopt/retire-stale-master.js";
import { stopLeftMaster } from "./adopt/stop-left-master.js";
import { logHaproxyLine } from "./haproxy/log-haproxy-line.js";
import { openStdoutFifo } from "./haproxy/stdout-fifo.js";
import type { ReloaderOptions } from "./options/reloader-options.js";
import { removeReloaderTemps } from "./output/remove-stale-temps.js";
import { stateLayout, type StateLayout } from "./output/snapshot-layout.js";
import { abortableStep, stopIfAsked } from "./setup/abortable-step.js";
import { stopBudget } from "./setup/stop-budget.js";
import { lockStateDir } from "./setup/lock-state-dir.js";
import { prepareStart } from "./setup/prepare-start.js";
import { NOTHING_KNOWN, readHaproxySelf } from "./setup/read-haproxy-self.js";
import { prepareStateDir } from "./setup/prepare-state-dir.js";
import type { RunningReloader } from "./setup/running-reloader.js";
import { startSupervised } from "./setup/start-supervised.js";

export type { RunningReloader } from "./setup/running-reloader.js";

// Start everything; throws StartupError when the configuration is unusable, StartStoppedError when
// `stop` aborts before HAProxy runs (once it runs, or a running master is found, the start completes and
// the caller stops it). A start that throws first stops a master of this state dir that no live
// reloader supervises (stop-left-master.ts); after a stop, with what is left of --stop-timeout since its
// signal (until 2026-12-05 the whole of it again from there: a stop during the question to a silent
// master's socket, up to 2 s, ended past Docker's 10 s grace with the image's 6 s).
export async function startReloader(
  options: ReloaderOptions,
  logger: Logger,
  stop?: AbortSignal,
): Promise<RunningReloader> {
  logger.info({ event: "reloader.starting", options: describeOptions(options) }, "reloader starting");
  const layout = stateLayout(options.stateDir);
  const budget = stopBudget(stop, options.stopTimeoutMs);
  try {
    return await startInStateDir(options, logger, layout, stop);
  } catch (error) {
    await stopLeftMaster(layout, budget.remainingMs(), logger);
    throw error;
  } finally {
    budget.close();
  }
}

async function startInStateDir(
  options: ReloaderOptions,
  logger: Logger,
  layout: StateLayout,
  stop: AbortSignal | undefined,
): Promise<RunningReloader> {
  // The state dir first: it is private (the config and PEM HAProxy loads live there) and one reloader's.
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
  // master is adopted, then the stop ends it gracefully); without one, a stop ends the start at once. A
  // stop while the start waits for a live master that does not answer ends the wait (stage "silent
  // master"), and startReloader stops that master as after any abandoned start.
  const found = await findRunningMaster(layout, options.reloadTimeoutMs, logger, stop);
  await removeReloaderTemps(layout, options.haproxyConfig, logger);
  const abandon = found.kind === "running" ? undefined : stop;
  // A stop during `haproxy -vv` (up to its 10 s with a binary that hangs) abandons it as any read of the
  // start; its process group is killed as the reloader exits (runInOwnGroup). Without a --config no -vv
  // runs, and a stop that came earlier is abandoned at the next step, named as before. With one, a stop
  // that came earlier (during findRunningMaster's question to a master socket, say) is abandoned before -vv
  // is spawned, not after.
  let self = NOTHING_KNOWN;
  if (options.userConfig) {
    stopIfAsked(abandon, "haproxy -vv");
    self = await abortableStep(readHaproxySelf(options, logger), abandon, "haproxy -vv");
  }
  const { certificates, baseSections } = await prepareStart(options, layout, logger, abandon, self);
  // A stale master's workers may still serve: it is retired only once everything the new one needs is
  // ready (the metadata reads of prepareStart can wait out an outage), just before its ports are taken.
  if (found.kind === "stale") await retireStaleMaster(found.pid, found.startTime, logger);
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
      stopAsked: stop,
      found,
      certificates,
      baseSections,
      stdoutFifo,
      self,
    });
  } catch (error) {
    stdoutFifo?.close();
    throw error;
  }
}

// The options for the start-up log line, without the stats password, nor the environment (the whole
// environment's variables, values and any secret among them included: not options, and a Map logs as `{}`).
function describeOptions(options: ReloaderOptions): Record<string, unknown> {
  const { environment: _environment, ...shown } = options;
  const status = { ...options.status, token: options.status.token ? "[redacted]" : null };
  return { ...shown, stats: { ...options.stats, password: "[redacted]" }, status };
}
