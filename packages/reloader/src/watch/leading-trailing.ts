// Leading-edge coalescing of file events: the first event of a burst is reported after a short settle,
// and one more report follows once the events have been quiet for the quiet period.

// chokidar drops a second `change` of the same path within 50 ms of the first (its own throttle), so two
// renames 10 ms apart can yield one event that read the first content: the trailing report (a re-read
// that the applier hashes) comes later than that window even with a shorter quiet period.
export const MIN_TRAILING_MS = 60;

// generate-maps renames its two files back to back (a fraction of a millisecond apart when the machine is
// not starved): a first read this long after the first event mostly sees both, so a new stack is one
// pass (one reload) instead of a pass for the backends and another for the map.
export const LEADING_SETTLE_MS = 10;

// What the watcher feeds events into.
export interface LeadingTrailing {
  /** an event arrived now */
  event(): void;
  /** drop the pending reports */
  cancel(): void;
}

// Calls report(firstEventAt) LEADING_SETTLE_MS after the first event of a burst, then once more `quietMs`
// (at least MIN_TRAILING_MS) after the burst's last event, with the time of the first event after the
// leading report (or of the leading event when none came). A burst ends with that trailing report.
export function leadingTrailing(quietMs: number, report: (firstEventAt: number) => void): LeadingTrailing {
  const waitMs = Math.max(quietMs, MIN_TRAILING_MS, LEADING_SETTLE_MS + 1);
  let leading: NodeJS.Timeout | null = null;
  let trailing: NodeJS.Timeout | null = null;
  let leadingAt: number | null = null;
  let reported = false;
  let laterAt: number | null = null;
  const reportTrailing = () => {
    trailing = null;
    const since = laterAt ?? leadingAt ?? performance.now();
    leadingAt = null;
    laterAt = null;
    reported = false;
    report(since);
  };
  return {
    event() {
      const now = performance.now();
      if (trailing) clearTimeout(trailing);
      trailing = setTimeout(reportTrailing, waitMs);
      if (leadingAt === null) {
        const at = now;
        leadingAt = at;
        leading = setTimeout(() => {
          leading = null;
          reported = true;
          report(at);
        }, LEADING_SETTLE_MS);
      } else if (reported) laterAt ??= now;
    },
    cancel() {
      for (const timer of [leading, trailing]) if (timer) clearTimeout(timer);
      leading = null;
      trailing = null;
      leadingAt = null;
      laterAt = null;
      reported = false;
    },
  };
}
