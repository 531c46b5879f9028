import { setTimeout as delay } from "node:timers/promises";

// Waits `ms` (0 or less: not at all); resolves true when the time passed, false as soon as `signal` aborts.
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
