// The real server's sync.Cond: long polls sleep until a shared ticker or a reload wakes them all.

// Wakes every waiting long poll on each tick of a server-wide ticker and on broadcast().
export class LongPollHub {
  private readonly waiters = new Set<() => void>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(tickMs: number) {
    this.timer = setInterval(() => this.broadcast(), tickMs);
    this.timer.unref();
  }

  // Resolves true at the next wake-up, false when the hub closes or `signal` aborts first.
  next(signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed || signal.aborted) {
        resolve(false);
        return;
      }
      const onAbort = () => {
        this.waiters.delete(wake);
        resolve(false);
      };
      const wake = () => {
        signal.removeEventListener("abort", onAbort);
        resolve(!this.closed);
      };
      this.waiters.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  // Wakes every waiter now (a reload, a fault change).
  broadcast(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  // How many long polls are waiting.
  get size(): number {
    return this.waiters.size;
  }

  // Stops the ticker and releases every waiter with false.
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.broadcast();
  }
}
