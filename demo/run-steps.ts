// The automatic changes: one every `everyS` seconds (or now, on a key), one at a time. Each edits the
// stand-in's tree, waits until HAProxy runs the regenerated files, samples the host and prints it all.
import { httpRequest, worldTree } from "@rancher-haproxy/test-support";
import { DEMO_STEPS } from "./demo-steps.js";
import { INITIAL_STATE, demoWorld, type DemoState } from "./demo-world.js";
import { curlLine, formatTally } from "./print-demo.js";
import type { Demo } from "./start-demo.js";

// The running cycle.
export interface StepCycle {
  /** run the next change now (ignored while one is running) */
  next(): void;
  /** no more changes; resolves when the running one (if any) has finished */
  stop(): Promise<void>;
}

// Starts the timer; `log` prints one line.
export function startStepCycle(demo: Demo, everyS: number, log: (line: string) => void): StepCycle {
  const started = performance.now();
  let state: DemoState = INITIAL_STATE;
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;
  const stamp = () => `[+${((performance.now() - started) / 1000).toFixed(1)}s]`;

  const run = async () => {
    const step = DEMO_STEPS[index % DEMO_STEPS.length]!;
    index += 1;
    state = step.next(state);
    const since = performance.now();
    demo.pair.metadata.setTree(worldTree(demoWorld(state, demo.backends)));
    log(`${stamp()} ${step.title}`);
    try {
      const applied = await demo.pair.waitForApplied(step.inFiles, { timeoutMs: 30_000 });
      const seconds = ((performance.now() - since) / 1000).toFixed(2);
      const line = demo.pair.reloader.logs.find(
        (entry) =>
          (entry.event === "reload.applied" || entry.event === "runtime.applied") &&
          entry["generation"] === applied.generation,
      );
      const detail =
        line?.event === "reload.applied"
          ? `, haproxy -c ${String(line["checkMs"])} ms + reload ${String(line["reloadMs"])} ms`
          : line
            ? `, runtime API: ${String(line["ops"])} step${line["ops"] === 1 ? "" : "s"}, no reload`
            : "";
      log(`        HAProxy serves it ${seconds} s later (gen-${applied.generation}${detail})`);
      log(`        6 requests: ${formatTally(await sample(demo, step.host))}   (${step.look})`);
      log(`        ${curlLine(step.host, demo.pair.url)}`);
      demo.haproxyPids();
    } catch (error) {
      if (!stopped) log(`        not applied: ${(error as Error).message.split("\n")[0] ?? ""}`);
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(trigger, everyS * 1000);
  };
  const trigger = () => {
    if (stopped || running) return;
    clearTimeout(timer);
    running = run().finally(() => {
      running = null;
      schedule();
    });
  };
  schedule();
  return {
    next: trigger,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

// Six requests on fresh connections: who answered.
async function sample(demo: Demo, host: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < 6; i++) {
    const answer = await httpRequest({ url: demo.pair.url, host, timeoutMs: 5000 }).catch(() => null);
    const key = answer === null ? "error" : answer.status === 200 ? answer.body : String(answer.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
