// The reloader, start to stop: options → syslog target + certificate → rendered base config → first
// snapshot → HAProxy (a master-worker child, or the running master a killed reloader left, adopted) →
// watch the inputs → check, snapshot, reload, confirm.
import { access, constants, mkdir } from "node:fs/promises";
import { createMetadataClient, type Logger, type SyslogTarget } from "@rancher-haproxy/core";
import { adoptMaster } from "./adopt/adopt-master.js";
import { findRunningMaster } from "./adopt/find-running-master.js";
import { retireStaleMaster } from "./adopt/retire-stale-master.js";
import { HaproxySupervisor } from "./haproxy/haproxy-supervisor.js";
import { baseConfigPath, type ReloaderOptions } from "./options/reloader-options.js";
import { ensureInputFiles } from "./output/ensure-input-files.js";
import { stateLayout, type StateLayout } from "./output/snapshot-layout.js";
import { writeBaseConfig } from "./output/write-base-config.js";
import { ConfigApplier } from "./reload/config-applier.js";
import { SnapshotStore } from "./reload/snapshot-store.js";
import { renderBaseConfig, type BaseConfigInput } from "./render/render-base-config.js";
import { prepareCertificate } from "./setup/prepare-certificate.js";
import { resolveSyslogTarget } from "./setup/resolve-syslog-target.js";
import { ReloaderStatus } from "./state/reloader-status.js";
import { startReloaderStatus } from "./status/start-reloader-status.js";
import { StartupError } from "./startup-error.js";
import { watchInputs } from "./watch/watch-inputs.js";

// A running reloader: its status, a promise that rejects if HAProxy cannot be kept up, and stop().
export interface RunningReloader {
  readonly status: ReloaderStatus;
  readonly failed: Promise<never>;
  stop(): Promise<void>;
  /** synchronous last resort on process exit: SIGKILL HAProxy if it still runs */
  killNow(): void;
}

// Start everything; throws StartupError when the configuration is unusable.
export async function startReloader(options: ReloaderOptions, logger: Logger): Promise<RunningReloader> {
  logger.info({ event: "reloader.starting", options: describeOptions(options) }, "reloader starting");
  const metadata = createMetadataClient({
    apiHost: options.rancherApiHost,
    apiVersion: options.rancherApiVersion,
  });
  const log = await resolveSyslogTarget(options.syslogHost, metadata, logger);
  if (options.ssl.enabled) await prepareCertificate(options.ssl, metadata, logger);

  const layout = stateLayout(options.stateDir);
  await mkdir(layout.dir, { recursive: true, mode: 0o700 });
  await prepareBaseConfig(options, log, layout, logger);
  const created = await ensureInputFiles([options.backendConfig, options.domainMap]);
  if (created.length > 0)
    logger.info({ event: "inputs.created", paths: created }, "created empty input files");

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
    onGiveUp: giveUp,
  });
  const inputs = { base: baseConfigPath(options), backends: options.backendConfig, map: options.domainMap };
  const store = new SnapshotStore(options.haproxyBin, layout, logger);
  const applier = new ConfigApplier({ store, inputs, logger, status, supervisor });

  const found = await findRunningMaster(layout);
  const generation = await applier.prepareInitial();
  logger.info({ event: "start.snapshot", generation }, `starting HAProxy from gen-${generation}`);
  if (found.kind === "running") await adoptMaster(found, supervisor, logger);
  else {
    if (found.kind === "stale") await retireStaleMaster(found.pid, found.startTime, logger);
    await supervisor.start();
  }

  const statusServer = await startReloaderStatus({ options, status, layout, inputs, logger });
  const watcher = watchInputs(
    Object.values(inputs),
    options.debounceMs,
    (since) => applier.notifyChange(since),
    logger,
  );
  await watcher.ready;
  applier.notifyChange(); // anything written between the first snapshot and the watcher being ready
  const rescan =
    options.rescanIntervalMs > 0 ? setInterval(() => applier.notifyChange(), options.rescanIntervalMs) : null;
  rescan?.unref();
  logger.info({ event: "reloader.ready", watching: Object.values(inputs) }, "watching the input files");

  return {
    status,
    failed,
    async stop() {
      logger.info({ event: "reloader.stopping" }, "stopping");
      if (rescan) clearInterval(rescan);
      await statusServer?.close();
      await watcher.close();
      applier.close();
      await Promise.race([applier.idle(), delay(options.reloadTimeoutMs)]);
      await supervisor.stop(options.stopTimeoutMs);
      logger.info({ event: "reloader.stopped" }, "stopped");
    },
    killNow: () => supervisor.killNow(),
  };
}

// Render HAPROXY_CONFIG from the options, or check that the user's own --config is readable.
async function prepareBaseConfig(
  options: ReloaderOptions,
  log: SyslogTarget,
  layout: StateLayout,
  logger: Logger,
) {
  if (options.userConfig) {
    await access(options.userConfig, constants.R_OK).catch((error: NodeJS.ErrnoException) => {
      throw new StartupError(
        `--config=${options.userConfig} cannot be read (${error.code ?? String(error)})`,
      );
    });
    logger.info({ event: "base-config.user", path: options.userConfig }, "using your own base config as is");
    return;
  }
  const input: BaseConfigInput = {
    bindAddress: options.bindAddress,
    httpPort: options.httpPort,
    https: options.ssl.enabled
      ? { port: options.ssl.port, certPath: options.ssl.certPath, redirect: options.ssl.redirect }
      : null,
    stats: options.stats.enabled
      ? { port: options.stats.port, username: options.stats.username, password: options.stats.password }
      : null,
    log,
    facility: options.syslogFacility,
    adminSocket: layout.adminSocket,
    hardStopAfterMs: options.hardStopAfterMs,
  };
  const result = await writeBaseConfig(options.haproxyConfig, renderBaseConfig(input), options.stats.enabled);
  logger.info(
    { event: "base-config.written", path: options.haproxyConfig, changed: result.changed },
    "base config rendered",
  );
}

// The options for the start-up log line, without the stats password.
function describeOptions(options: ReloaderOptions): Record<string, unknown> {
  return { ...options, stats: { ...options.stats, password: "[redacted]" } };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
