// `npm run demo`: rancher-haproxy end to end on this machine. Options → start the stand-in metadata,
// demo backends, generate-maps, the reloader and HAProxy → print what to try → change the scenario
// every few seconds (or on a key) → on Ctrl-C, SIGTERM, q or --duration, stop everything and prove no
// HAProxy is left. Exit 0 after a clean stop, 1 when something failed, 2 for a bad option.
import { rm } from "node:fs/promises";
import { DEMO_HELP, DemoOptionsError, parseDemoOptions, type DemoOptions } from "./demo-options.js";
import { listenForKeys } from "./keypress.js";
import { printBanner } from "./print-demo.js";
import { startStepCycle } from "./run-steps.js";
import { startDemo, type Demo } from "./start-demo.js";

// How close a second signal may follow the first and still be the same request.
const REPEAT_MS = 1000;

async function main(): Promise<number> {
  let options: DemoOptions;
  try {
    options = parseDemoOptions(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof DemoOptionsError)) throw error;
    console.error(`demo: ${error.message}\n\n${DEMO_HELP}`);
    return 2;
  }
  if (options.help) {
    console.log(DEMO_HELP);
    return 0;
  }

  // A first signal stops gracefully; a second one, while stopping, ends everything at once. A terminal's
  // Ctrl-C under `npm run demo` arrives twice within milliseconds (from the terminal and forwarded by
  // npm): a repeat within REPEAT_MS of the first counts as the same one.
  let stopRequested: (reason: string) => void = () => undefined;
  const stopReason = new Promise<string>((resolve) => (stopRequested = resolve));
  let stopping = false;
  let firstSignalAt: number | null = null;
  let demo: Demo | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      firstSignalAt ??= Date.now();
      if (!stopping) return stopRequested(signal);
      if (Date.now() - firstSignalAt < REPEAT_MS) return;
      console.log(`${signal} again: killing everything now`);
      if (demo) forceStop(demo);
      process.exit(1);
    });

  console.log(
    "starting the stand-in metadata server, demo backends, generate-maps, the reloader and HAProxy…",
  );
  try {
    demo = await startDemo(options);
  } catch (error) {
    console.error(`demo: cannot start: ${(error as Error).message}`);
    return 1;
  }
  const interactive = process.stdin.isTTY === true;
  printBanner(demo, options.everyS, interactive);
  const cycle = startStepCycle(demo, options.everyS, (line) => console.log(line));
  const restoreKeys = listenForKeys({ next: () => cycle.next(), quit: (reason) => stopRequested(reason) });
  const duration =
    options.durationS === null
      ? undefined
      : setTimeout(() => stopRequested(`--duration ${options.durationS} s`), options.durationS * 1000);

  const reason = await stopReason;
  stopping = true;
  clearTimeout(duration);
  restoreKeys();
  console.log(`\nstopping (${reason})…`);
  await cycle.stop();
  const stopped = await demo.stop();
  const exit = (name: string, value: { code: number | null; signal: string | null } | null | undefined) =>
    `${name} exited ${value?.code ?? value?.signal ?? "?"}`;
  console.log(
    `  ${exit("generate-maps", stopped.exits?.generateMaps)}, ${exit("reloader", stopped.exits?.reloader)} ` +
      "(HAProxy finished its in-flight requests first)",
  );
  if (stopped.survivors.length === 0)
    console.log(`  no HAProxy process left: pids ${stopped.haproxyPids.join(", ")} are gone`);
  else console.log(`  HAProxy pids ${stopped.survivors.join(", ")} outlived the stop and were killed`);
  if (options.keep) console.log(`  kept ${demo.dir} (logs and generated files)`);
  else {
    await rm(demo.dir, { recursive: true, force: true });
    console.log(`  removed ${demo.dir} (--keep keeps the logs)`);
  }
  const clean =
    stopped.survivors.length === 0 &&
    stopped.exits?.generateMaps?.code === 0 &&
    stopped.exits.reloader?.code === 0;
  return clean ? 0 : 1;
}

// A second signal for each child (the reloader then exits at once, SIGKILLing HAProxy), and SIGKILL for
// any HAProxy left: the children run in their own process groups, so nothing else would reach them.
function forceStop(demo: Demo): void {
  const haproxy = demo.haproxyPids();
  for (const pid of [demo.pair.generateMaps.pid, demo.pair.reloader.pid]) signal(pid, "SIGTERM");
  for (const pid of haproxy) signal(pid, "SIGKILL");
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
