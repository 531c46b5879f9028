// The generate-maps command: options from argv + env, then one cycle (--once, --dry-run) or the loop
// until SIGTERM/SIGINT/SIGHUP (SIGUSR1, SIGUSR2, SIGQUIT and the like are ignored, logged: IGNORED_SIGNALS).
// The only place that exits the process: 0 ok, 1 cycle failed, 2 bad options.
// Only the options are imported up front: the logger, the metadata client and what each mode runs are
// loaded once they are read, so --help and a bad option load none of them, and --explain no writer.
import { OptionsError } from "@rancher-haproxy/core/options";
import { ignoredSignalMessage, ignoreSignals } from "@rancher-haproxy/core/signals";
import type { Generator } from "./cycle/run-cycle.js";
import { parseOptions } from "./options/parse-options.js";

// First thing: node's default ended the process (mid-cycle) or, for SIGUSR1, opened the inspector. The bin
// (bin/generate-maps.js) has called it already, before loading this module: the same counts come back.
const reportIgnoredSignals = ignoreSignals();

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = await parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    await print(process.stderr, `generate-maps: ${error.message}\n`);
    return 2;
  }
  if (parsed.kind === "help") {
    await print(process.stdout, `${parsed.text}\n`);
    return 0;
  }
  const { options } = parsed;
  const { createLogger } = await import("@rancher-haproxy/core/log");
  const { createMetadataClient } = await import("@rancher-haproxy/core/metadata");
  // In a dry run (and --explain) stdout carries the answer, so the log goes to stderr.
  const logTo = options.dryRun || options.explain !== null ? process.stderr : process.stdout;
  const logger = createLogger({
    name: "generate-maps",
    level: options.logLevel,
    format: options.logFormat ?? (logTo.isTTY ? "pretty" : "json"),
    ...(logTo === process.stderr ? { destination: process.stderr } : {}),
  });
  reportIgnoredSignals((signal, times) =>
    logger.warn(
      { event: "signal-ignored", signal, times },
      ignoredSignalMessage(signal, times, "generate-maps"),
    ),
  );
  const client = createMetadataClient({
    apiHost: options.apiHost,
    apiVersion: options.apiVersion,
    timeoutMs: options.requestTimeoutMs,
    maxAnswerBytes: options.metadataMaxBytes,
  });
  if (options.explain !== null) {
    const { explainOnce } = await import("./status/explain-once.js");
    const outcome = await explainOnce(client, options, options.explain);
    await print(process.stderr, outcome.stderr);
    await print(process.stdout, outcome.stdout);
    return outcome.exitCode;
  }
  const generator: Generator = { options, client, logger };
  const mode = options.dryRun ? "dry-run" : options.once ? "once" : "loop";
  const { domain, label, proxyLabel, domainMapPath, backendsPath, intervalMs } = options;
  const { maxRemovalShare, removalConfirmMs } = options;
  const summary = {
    domain,
    label,
    proxyLabel,
    domainMapPath,
    backendsPath,
    intervalMs,
    maxRemovalShare,
    removalConfirmMs,
    metadata: client.baseUrl,
  };
  logger.info(
    { event: "start", mode, ...summary },
    `generate-maps starting (${mode}) against ${client.baseUrl}`,
  );

  if (options.once || options.dryRun) {
    const { createCycleState, runCycle } = await import("./cycle/run-cycle.js");
    const { renderDryRun } = await import("./render/render-dry-run.js");
    const result = await runCycle(generator, createCycleState(logger), { write: !options.dryRun });
    if (options.dryRun && "files" in result) await print(process.stdout, renderDryRun(result.files));
    return result.ok ? 0 : 1;
  }
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ event: "stopping", signal }, `${signal}: stopping`);
    stop.abort();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  // A stop too, as for the reloader and the image's entrypoint: node's default ended the process.
  process.once("SIGHUP", onSignal);
  // Loaded here, not at the top: only the loop serves /healthz and /metrics, and loading prom-client
  // cost a one-shot run ≈ 30 ms of its ≈ 430 ms of start-up CPU.
  const { startGeneratorStatus } = await import("./status/start-generator-status.js");
  const { runLoop } = await import("./loop/run-loop.js");
  const status = await startGeneratorStatus(options, logger, client);
  await runLoop(
    { ...generator, client: status.client },
    stop.signal,
    status.onCycle,
    status.onQuiet,
    status.onWaitReach,
  );
  await status.close();
  logger.info({ event: "stopped" }, "generate-maps stopped");
  return 0;
}

async function print(stream: NodeJS.WriteStream, text: string): Promise<void> {
  await new Promise<void>((resolve) => stream.write(text, () => resolve()));
}

// Lets a pretty log's last lines through its stream before exiting.
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

main().then(
  async (code) => {
    await settle();
    process.exit(code);
  },
  async (error: unknown) => {
    await print(
      process.stderr,
      `generate-maps: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exit(1);
  },
);
