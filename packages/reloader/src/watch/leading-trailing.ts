// Leading-edge coalescing of file events: the first event of a burst is reported at once, and one more
// report follows once the events have been quiet for the quiet period, whatever happened in between.

// chokidar drops a second `change` of the same path within 50 ms of the first (its own throttle), so two
// renames 10 ms apart can yield one event that read the first content: the trailing report (a re-read
// that the applier hashes) comes later than that window even with a shorter quiet period.
export const MIN_TRAILING_MS = 60;

// What the watcher feeds events into.
export interface LeadingTrailing {
  /** an event arrived now */
  event(): void;
  /** drop the pending trailing report */
  cancel(): void;
}

// Calls report(firstEventAt) at the first event of a burst, then once more `quietMs` (at least
// MIN_TRAILING_MS) after the burst's last event, with the time of the first event after the leading
// report (or of the leading event when none came). A burst ends with that trailing report.
export function leadingTrailing(quietMs: number, report: (firstEventAt: number) => void): LeadingTrailing {
  const waitMs = Math.max(quietMs, MIN_TRAILING_MS);
  let timer: NodeJS.Timeout | null = null;
  let leadingAt: number | null = null;
  let laterAt: number | null = null;
  const trailing = () => {
    timer = null;
    const since = laterAt ?? leadingAt ?? performance.now();
    leadingAt = null;
    laterAt = null;
    report(since);
  };
  return {
    event() {
      const now = performance.now();
      if (timer) clearTimeout(timer);
      timer = setTimeout(trailing, waitMs);
      if (leadingAt === null) {
        leadingAt = now;
        report(now);
      } else laterAt ??= now;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
      leadingAt = null;
      laterAt = null;
    },
  };
}
