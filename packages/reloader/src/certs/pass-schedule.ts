// The timer of the certificate manager's passes: each pass runs once the one before it ended and the
// delay after it passed (next-pass-delay.ts), so passes never overlap, until the schedule is stopped.

// One manager's schedule: the timer of the next pass and the pass in flight.
export class PassSchedule {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  // Schedule the passes: `pass` runs one, `delay` says how long after the last one the next is due (null:
  // none is, and the schedule ends).
  start(pass: () => Promise<void>, delay: () => number | null): void {
    const schedule = () => {
      const ms = delay();
      this.timer = ms === null ? null : setTimeout(tick, ms).unref();
    };
    const tick = () => {
      this.inFlight = pass().finally(() => {
        if (this.timer !== null) schedule();
      });
    };
    schedule();
  }

  // No pass is scheduled any more; a pass in flight still ends (await `running`).
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // The pass in flight, or the last one (resolved when none ran).
  get running(): Promise<void> {
    return this.inFlight;
  }
}
