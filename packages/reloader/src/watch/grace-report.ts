// The pace the input reports share (report-empty-backends.ts, report-empty-map.ts, report-stale-map.ts):
// a condition probed now and every `intervalMs`, reported once it held at two probes in a row, cleared
// once it does not. Until 2026-12-06 each report carried its own copy of this timer, grace and once-only
// logic.

// What one probe found: the condition holds (with what the report names), it does not, or it cannot be
// told (a file that cannot be stat'ed or read: the applier's reads report that), which changes nothing.
export type GraceProbe<T> = { holds: true; found: T } | { holds: false } | null;

// What a report does when the condition has held at two probes in a row (once), and when it ends.
export interface GraceActions<T> {
  /** the condition held since `since` (ms epoch), for `ms`: called once until it clears */
  report(found: T, since: number, ms: number): void;
  /** the condition still holds after report() (at each later probe): what it names now (a count) */
  still?(found: T): void;
  /** the condition does not hold (at every such probe); `wasReported`: report() was called before it */
  clear(wasReported: boolean): void;
}

// A running report.
export interface GraceReport {
  /** one check now, or the one under way (the start's, the timer's every `intervalMs`); resolves once done */
  check(): Promise<void>;
  close(): void;
}

// Probes now and every `intervalMs` (0: only when check() is called). One probe at a time: on a hung
// mount a stat never returns, and more would pile up.
export function startGraceReport<T>(
  probe: () => Promise<GraceProbe<T>>,
  actions: GraceActions<T>,
  intervalMs: number,
  now: () => number = Date.now,
): GraceReport {
  let since: number | null = null;
  let reported = false;
  let running: Promise<void> | null = null;
  const once = async () => {
    const found = await probe();
    if (found === null) return;
    if (!found.holds) {
      const was = reported;
      since = null;
      reported = false;
      actions.clear(was);
      return;
    }
    if (since === null) {
      since = now();
      return;
    }
    if (reported) {
      actions.still?.(found.found);
      return;
    }
    reported = true;
    actions.report(found.found, since, now() - since);
  };
  const check = (): Promise<void> => (running ??= once().finally(() => (running = null)));
  void check();
  const timer = intervalMs > 0 ? setInterval(() => void check(), intervalMs) : null;
  timer?.unref();
  return {
    check,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}
