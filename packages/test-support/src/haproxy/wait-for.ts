// Poll a condition until it holds or a deadline passes: functional deadlines, not timing assertions.

// How long and how often.
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** what was awaited, for the error */
  message?: string;
}

// Resolve with the first truthy value of `probe` (errors count as "not yet"); reject after timeoutMs.
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? ` (last error: ${String(lastError)})` : "";
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.message ?? "a condition"}${detail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 25));
  }
}
