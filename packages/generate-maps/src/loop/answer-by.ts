// Racing a promise against a deadline without losing it: the version watcher waits for its long poll until
// the interval's deadline, then a little more, and still awaits the same poll once cut.
import { scopedSignal } from "./scoped-signal.js";
import { sleep } from "./sleep.js";

// A promise's outcome as a value, so it can be raced and awaited again without an unhandled rejection.
export function settle(promise: Promise<string>): Promise<{ version: string } | { error: unknown }> {
  return promise.then(
    (version) => ({ version }),
    (error: unknown) => ({ error }),
  );
}

// The outcome once it comes within `ms`; null when the time passed (or `signal` aborted) first.
export async function answerBy<T>(outcome: Promise<T>, ms: number, signal: AbortSignal): Promise<T | null> {
  const timer = scopedSignal(signal);
  try {
    return await Promise.race([outcome, sleep(ms, timer.signal).then(() => null)]);
  } finally {
    timer.abort();
    timer.release();
  }
}
