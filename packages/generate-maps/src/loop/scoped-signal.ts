// A short-lived child of a long-lived signal, for one operation. Node 20's AbortSignal.any() never
// forgets a dependant of a long-lived input signal (about 70 bytes per call, measured on 20.20), and the
// metadata client combines its caller's signal per request: so the loop never hands its own stop signal
// to it, only a child that is released (and collected) after each cycle or wait.

// The child signal, whether it was aborted by its own deadline, how to abort it alone (its operation
// failed elsewhere), and how to detach it from the parent.
export interface ScopedSignal {
  signal: AbortSignal;
  timedOut(): boolean;
  abort(): void;
  release(): void;
}

// Creates a child that aborts with `parent`, or after `timeoutMs` when given; call release() when done.
export function scopedSignal(parent: AbortSignal, timeoutMs?: number): ScopedSignal {
  const controller = new AbortController();
  let expired = false;
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  if (parent.aborted) controller.abort(parent.reason);
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort(new Error(`deadline of ${timeoutMs} ms`));
        }, timeoutMs);
  return {
    signal: controller.signal,
    timedOut: () => expired,
    abort: () => controller.abort(),
    release() {
      parent.removeEventListener("abort", onAbort);
      clearTimeout(timer);
    },
  };
}
