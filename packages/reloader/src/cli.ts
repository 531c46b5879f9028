// `reloader`: parse flags and environment once, start, and turn SIGTERM/SIGINT into a graceful stop.
// The only place that calls process.exit: 0 after a clean stop, 1 on failure, 2 on bad configuration.
import { hideBin } from "yargs/helpers";
import { createLogger, type Logger } from "@rancher-haproxy/core";
import { startReloader, type RunningReloader } from "./main.js";
import { parseCommandLine } from "./options/command-line.js";
import { OptionsError } from "./options/options-error.js";
import { resolveOptions } from "./options/resolve-options.js";
import type { ReloaderOptions } from "./options/reloader-options.js";
import { StartupError } from "./startup-error.js";

let options: ReloaderOptions;
try {
  options = resolveOptions(parseCommandLine(hideBin(process.argv)), process.env);
} catch (error) {
  if (!(error instanceof OptionsError)) throw error;
  process.stderr.write(
    `reloader: invalid configuration:\n${error.problems.map((p) => `  - ${p}\n`).join("")}`,
  );
  process.exit(2);
}

const logger: Logger = createLogger({ name: "reloader", level: options.logLevel, format: options.logFormat });
let reloader: RunningReloader | null = null;
// The start in progress: a signal that arrives during it waits for it, so HAProxy is never orphaned.
let starting: Promise<RunningReloader> | null = null;
let stopping = false;

async function shutdown(code: number, reason: string): Promise<never> {
  if (stopping) process.exit(code === 0 ? 1 : code);
  stopping = true;
  logger.info({ event: "reloader.shutdown", reason, exitCode: code }, `shutting down (${reason})`);
  try {
    if (!reloader && starting) reloader = await starting.catch(() => null);
    await reloader?.stop();
  } catch (error) {
    logger.error({ event: "reloader.stop-error", err: String(error) }, "error while stopping");
    code = code === 0 ? 1 : code;
  }
  process.exit(code);
}

process.on("exit", () => reloader?.killNow());
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void shutdown(0, signal));
process.on("uncaughtException", (error) => {
  logger.fatal({ event: "reloader.crash", err: String(error), stack: error.stack }, "uncaught exception");
  void shutdown(1, "uncaught exception");
});
process.on("unhandledRejection", (error) => {
  logger.fatal({ event: "reloader.crash", err: String(error) }, "unhandled rejection");
  void shutdown(1, "unhandled rejection");
});

try {
  starting = startReloader(options, logger);
  reloader = await starting;
} catch (error) {
  const code = error instanceof StartupError ? error.exitCode : 1;
  logger.fatal(
    {
      event: error instanceof StartupError ? error.event : "reloader.start-failed",
      err: error instanceof Error ? error.message : String(error),
    },
    "cannot start",
  );
  await shutdown(code, "start-up failed");
}
reloader?.failed.catch(
  (error: unknown) => void shutdown(1, error instanceof Error ? error.message : String(error)),
);
