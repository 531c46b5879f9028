// Teardown steps run in reverse order, each even when an earlier one failed: a part never leaves a
// process, server or temp dir behind.
import type { ChildProcess } from "node:child_process";

// A stack of teardown steps.
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  // Register a step (run last-in, first-out).
  add(step: () => unknown): void {
    this.steps.push(step);
  }

  // Run and forget every step; errors are reported on stderr, not thrown.
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`bench cleanup: ${String(error)}\n`);
      }
    }
  }
}

// Stop `child` at cleanup if it still runs: SIGTERM, SIGKILL after 5 s, and wait for its exit.
export function stopAtCleanup(cleanup: Cleanup, child: ChildProcess): void {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanup.add(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  });
}

// Run `body` with a fresh Cleanup that always runs afterwards.
export async function withCleanup<T>(body: (cleanup: Cleanup) => Promise<T>): Promise<T> {
  const cleanup = new Cleanup();
  try {
    return await body(cleanup);
  } finally {
    await cleanup.run();
  }
}
