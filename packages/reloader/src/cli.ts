// `reloader`: parse flags and environment once, start, and turn SIGTERM/SIGINT/SIGHUP into a graceful stop
// (SIGUSR1, SIGUSR2, SIGQUIT and the like are ignored, logged: IGNORED_SIGNALS).
// The only place that calls process.exit: 0 after a clean stop or --help, 1 on failure, 2 on bad options,
// 3 after an uncaught error that left HAProxy running (--on-crash leave-haproxy).
// Only the option pieces are imported here: the logger (pino) and main.ts (HAProxy, execa, chokidar,
// prom-client, the metadata client) are loaded once the options are read, so --help and a bad option
// never load them.
import type { Logger } from "@rancher-haproxy/core/log";
import { OptionsError } from "@rancher-haproxy/core/options";
import { ignoredSignalMessage, ignoreSignals } from "@rancher-haproxy/core/signals";
import { killOurMaster } from "./adopt/kill-our-master.js";
import type { RunningReloader } from "./main.js";
import { parseReloaderCommandLine } from "./options/parse-reloader-command-line.js";
import { resolveOptions } from "./options/resolve-options.js";
import type { ReloaderOptions } from "./options/reloader-options.js";
import { STOP_UNDER_WAY_VARIABLE, takeStopUnderWay, type StopSignal } from "./options/stop-under-way.js";
import { stateLayout } from "./output/snapshot-layout.js";
import { StartStoppedError } from "./setup/abortable-step.js";
import { StartupError } from "./startup-error.js";

// Writes `text`, then exits with `code` (the write completes first, even on a pipe).
function exitAfter(stream: NodeJS.WriteStream, text: string, code: number): Promise<never> {
  return new Promise<never>(() => stream.write(text, () => process.exit(code)));
}

// The options and the stop that came before this start (RELOADER_STOP_UNDER_WAY, taken out of the
// environment HAProxy inherits), or the help text (exit 0) or one line naming the bad option (exit 2).
async function readOptions(): Promise<{ options: ReloaderOptions; stopUnderWay: StopSignal | null }> {
  try {
    const commandLine = await parseReloaderCommandLine(process.argv.slice(2));
    if (commandLine.kind === "help") return await exitAfter(process.stdout, `${commandLine.text}\n`, 0);
    const stopUnderWay = takeStopUnderWay(process.env);
    return { options: resolveOptions(commandLine.flags, process.env), stopUnderWay };
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    return await exitAfter(process.stderr, `reloader: ${error.message}\n`, 2);
  }
}

// First thing: node's default ended the reloader (HAProxy orphaned) or, for SIGUSR1, opened the inspector.
// Not SIGHUP: the entrypoint reads it caught as "the stop handlers are in place" (below). The bin
// (bin/reloader.js) has called it already, before loading this module: the same counts come back.
const reportIgnoredSignals = ignoreSignals();
const { options, stopUnderWay } = await readOptions();
// Before the signal handlers, as when they were static imports: a signal while they load still ends node.
const { createLogger } = await import("@rancher-haproxy/core/log");
const { startReloader } = await import("./main.js");
const logger: Logger = createLogger({ name: "reloader", level: options.logLevel, format: options.logFormat });
reportIgnoredSignals((signal, times) =>
  logger.warn(
    { event: "reloader.signal-ignored", signal, times },
    ignoredSignalMessage(signal, times, "the reloader"),
  ),
);
let reloader: RunningReloader | null = null;
// The start in progress: a signal that arrives during it abandons it while no HAProxy runs, else waits
// for it, so HAProxy is never orphaned.
let starting: Promise<RunningReloader> | null = null;
const abandonStart = new AbortController();
let stopping = false;
// The exit code of a crash that left HAProxy running (--on-crash leave-haproxy).
const EXIT_CRASH_LEFT_HAPROXY = 3;

async function shutdown(code: number, reason: string): Promise<never> {
  if (stopping) {
    // A second signal: exit 1 at once, HAProxy killed (the exit hook does it once a reloader runs; during
    // the start there is none yet, so the master of this state dir is found and killed here).
    if (!reloader && (starting || stopUnderWay)) {
      const killed = killOurMaster(stateLayout(options.stateDir));
      logger.warn(
        { event: "reloader.killed-haproxy", pid: killed },
        "second signal during the start: HAProxy killed",
      );
    }
    process.exit(code === 0 ? 1 : code);
  }
  stopping = true;
  // --stop-timeout runs from here: a start this comes during completes first (when HAProxy runs).
  const since = performance.now();
  logger.info({ event: "reloader.shutdown", reason, exitCode: code }, `shutting down (${reason})`);
  try {
    abandonStart.abort();
    // A start that then fails by itself (not abandoned) ends the reloader with its own code, as without the
    // stop: the start's catch below logs it and leaves the exit to this shutdown.
    if (!reloader && starting)
      reloader = await starting.catch((error: unknown) => {
        if (!(error instanceof StartStoppedError)) code = startFailureCode(error);
        return null;
      });
    await reloader?.stop(since);
  } catch (error) {
    logger.error({ event: "reloader.stop-error", err: String(error) }, "error while stopping");
    code = code === 0 ? 1 : code;
  }
  process.exit(code);
}

// The exit code of a start that failed (not abandoned by a stop): the StartupError's, else 1.
function startFailureCode(error: unknown): number {
  return error instanceof StartupError ? error.exitCode : 1;
}

process.on("exit", () => reloader?.killNow());
// SIGHUP too: node catches SIGTERM and SIGINT from its start (to exit), SIGHUP only from here on, so the
// image's entrypoint reads SIGHUP in /proc/<pid>/status as "the reloader can take a stop now".
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
  process.on(signal, () => void shutdown(0, signal));
// An uncaught error: HAProxy is stopped gracefully (exit 1), or with --on-crash leave-haproxy, when one
// runs, left serving (exit 3) for a supervisor that starts a reloader again, which adopts it as after a
// SIGKILL (and, when a stop was under way, is given the stop again). With no HAProxy running (a crash
// during the start, say) it is exit 1 either way: a supervisor restarting it would loop with nothing served.
function crashed(reason: string, fields: Record<string, unknown>): void {
  const runs = reloader !== null && reloader.status.snapshot().haproxyPid !== null;
  const leave = options.onCrash === "leave-haproxy" && runs;
  const haproxy = leave ? "left running for a new reloader to adopt" : "stopped";
  logger.fatal({ event: "reloader.crash", ...fields, haproxy }, `${reason}: HAProxy ${haproxy}`);
  if (!leave) return void shutdown(1, reason);
  reloader = null; // the exit hook must not kill it
  process.exit(EXIT_CRASH_LEFT_HAPROXY);
}
process.on("uncaughtException", (error) =>
  crashed("uncaught exception", { err: String(error), stack: error.stack }),
);
process.on("unhandledRejection", (error) => crashed("unhandled rejection", { err: String(error) }));

// A stop that came before this start: the running master is stopped, no start (stop-before-start.ts). Its
// --stop-timeout runs from this process's start (performance.now() 0): the entrypoint gave it what is left
// of the stop's budget.
async function stopBeforeStart(signal: StopSignal): Promise<never> {
  stopping = true;
  const reason = `${signal} before this start (${STOP_UNDER_WAY_VARIABLE})`;
  logger.info({ event: "reloader.shutdown", reason, exitCode: 0 }, `shutting down (${reason})`);
  let code = 0;
  try {
    const { stopBeforeStart: stopLeft } = await import("./setup/stop-before-start.js");
    await stopLeft(options, logger, 0);
    logger.info({ event: "reloader.stopped" }, "stopped");
  } catch (error) {
    logger.fatal(
      {
        event: error instanceof StartupError ? error.event : "reloader.stop-error",
        err: error instanceof Error ? error.message : String(error),
      },
      "cannot stop",
    );
    code = startFailureCode(error);
  }
  process.exit(code);
}

if (stopUnderWay !== null) await stopBeforeStart(stopUnderWay);
try {
  starting = startReloader(options, logger, abandonStart.signal);
  reloader = await starting;
} catch (error) {
  // A stop abandoned the start: the shutdown it began exits.
  if (error instanceof StartStoppedError)
    logger.info({ event: "start.abandoned", stage: error.stage }, error.message);
  else {
    logger.fatal(
      {
        event: error instanceof StartupError ? error.event : "reloader.start-failed",
        err: error instanceof Error ? error.message : String(error),
      },
      "cannot start",
    );
    // A shutdown under way (the start failed after a stop's signal) exits with the start's code; calling it
    // again was taken for a second signal (until 2026-12-05: `reloader.killed-haproxy`, "second signal
    // during the start: HAProxy killed", though neither came).
    if (!stopping) await shutdown(startFailureCode(error), "start-up failed");
  }
}
reloader?.failed.catch(
  (error: unknown) => void shutdown(1, error instanceof Error ? error.message : String(error)),
);
