// A `haproxy -c` that gave no verdict: it timed out, or a signal ended it (the OOM killer under a memory
// spike). That says nothing about the snapshot, so it is no refusal: the pass fails like any error and
// is retried with backoff (the same bytes are checked again), and the start-up neither refuses the
// inputs for good nor falls back to empty routing because of it.
export class CheckStoppedError extends Error {
  constructor(
    readonly generation: number,
    readonly stopped: string,
  ) {
    super(`gen-${generation}: ${stopped} (no verdict: checked again later)`);
    this.name = "CheckStoppedError";
  }
}
