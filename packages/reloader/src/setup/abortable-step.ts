// A stop asked for while the reloader is still starting, before it runs or adopts an HAProxy: the start
// is abandoned instead of waited for (metadata reads of up to 5 s each, a check, HAProxy's readiness),
// so `docker stop` and Ctrl-C during a slow start end it at once with nothing left running.

// Thrown by an abandoned start; the CLI exits 0, as after any requested stop.
export class StartStoppedError extends Error {
  override readonly name = "StartStoppedError";
  constructor(readonly stage: string) {
    super(`stopped during start (${stage}), before HAProxy was started`);
  }
}

// Throws StartStoppedError when `signal` is aborted: called between the start's steps.
export function stopIfAsked(signal: AbortSignal | undefined, stage: string): void {
  if (signal?.aborted) throw new StartStoppedError(stage);
}

// `work`, or StartStoppedError as soon as `signal` aborts. The abandoned step runs on unobserved: only
// steps that start nothing HAProxy depends on (reads, files rewritten at the next start) go through here.
// Its own failure is caught first, also when the stop came before: left unhandled, it crashed the
// abandoned start (unhandled rejection: exit 1 instead of 0).
export async function abortableStep<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  stage: string,
): Promise<T> {
  work.catch(() => undefined);
  stopIfAsked(signal, stage);
  if (!signal) return work;
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(new StartStoppedError(stage));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
