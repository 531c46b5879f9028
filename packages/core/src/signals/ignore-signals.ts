// Signals both programs ignore (each logged as received): node's default for each ends the process at
// once, mid-cycle for generate-maps and with HAProxy orphaned for the reloader, or (SIGTSTP) stops it,
// and SIGUSR1 makes node open its inspector on 127.0.0.1:9229 (code execution for any local process). A
// listener keeps node 20 from opening it (node ≥ 22.14 has --disable-sigusr1; node 20 has not). The image's
// entrypoint ignores the same signals (docker-entrypoint.sh); SIGTERM, SIGINT and SIGHUP are each program's
// graceful stop, and SIGPIPE node already ignores (a listener on it would log on every write to a closed
// stdout, itself a write to it). SIGXFSZ node ignores too, but only until a listener on it is removed:
// node then restores the default, not the ignore, and execa's signal-exit adds and removes one around
// each subprocess, so a reloader that had run `haproxy -c` died of SIGXFSZ (or of a write past
// RLIMIT_FSIZE, which now fails with EFBIG as before). Linux's real-time signals node cannot listen to.
export const IGNORED_SIGNALS = [
  "SIGUSR1",
  "SIGUSR2",
  "SIGQUIT",
  "SIGALRM",
  "SIGVTALRM",
  "SIGPROF",
  "SIGIO",
  "SIGPWR",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGSTKFLT",
  "SIGTSTP",
] as const satisfies readonly NodeJS.Signals[];

// The soonest a second line about the same ignored signal follows the first: a flood of signals (a loop
// of `kill -USR2`) logged one line each, 1 500 lines for 20 000 kills from one shell loop, without bound.
export const IGNORED_SIGNAL_LOG_MS = 60_000;

// The log line's text for an ignored signal received `times` times since its last line, in `program`
// ("generate-maps", "the reloader"): both programs say the same (docker-entrypoint.sh words its own alike).
export function ignoredSignalMessage(signal: NodeJS.Signals, times: number, program: string): string {
  const since = times > 1 ? ` (${times} times since the last such line, at most one a minute)` : "";
  return `${signal} ignored: SIGTERM, SIGINT or SIGHUP stops ${program}${since}`;
}

/** Receives an ignored signal once the logger exists: `times` received since the last report of it. */
export type IgnoredSignalReport = (signal: NodeJS.Signals, times: number) => void;

// Whether node was started with V8's sampling profiler (`--cpu-prof`, `--prof`), which samples on SIGPROF
// timer signals: a listener replaced its handler, and a profile of either program stopped at start-up.
function sampledByV8(): boolean {
  return process.execArgv.some((arg) => /^--(?:cpu-)?prof(?:$|=|-)/.test(arg));
}

// The function each interval's first ignoreSignals() call returned, which later calls return again.
const ignoring = new Map<number, (report: IgnoredSignalReport) => void>();

// Ignores IGNORED_SIGNALS from now on (SIGPROF not under a V8 profiler), for the process's life (removing
// the last listener would restore node's default). Called first thing, before the logger exists: the
// signals received until the returned function gives a report are counted, then passed to it. Each
// signal is reported at once the first time, then at most once per `intervalMs` with how many came since
// (counts still pending at exit are lost).
// Called again with the same interval it adds nothing and returns the same function: each bin's launcher
// calls it before it loads cli.js (a SIGUSR1 while cli.js's modules load opened the inspector), and
// cli.js calls it again and gives the report, counts of the signals received since the launcher's call.
export function ignoreSignals(
  intervalMs: number = IGNORED_SIGNAL_LOG_MS,
): (report: IgnoredSignalReport) => void {
  const earlier = ignoring.get(intervalMs);
  if (earlier !== undefined) return earlier;
  let reportTo: IgnoredSignalReport | null = null;
  const pending = new Map<NodeJS.Signals, number>();
  const lastReportAt = new Map<NodeJS.Signals, number>();
  const timers = new Map<NodeJS.Signals, NodeJS.Timeout>();
  const flush = (signal: NodeJS.Signals) => {
    timers.delete(signal);
    const times = pending.get(signal) ?? 0;
    if (reportTo === null || times === 0) return;
    pending.delete(signal);
    lastReportAt.set(signal, performance.now());
    reportTo(signal, times);
  };
  const received = (signal: NodeJS.Signals) => {
    pending.set(signal, (pending.get(signal) ?? 0) + 1);
    if (reportTo === null || timers.has(signal)) return;
    const wait = (lastReportAt.get(signal) ?? -Infinity) + intervalMs - performance.now();
    if (wait <= 0) return flush(signal);
    const timer = setTimeout(() => flush(signal), wait);
    timer.unref();
    timers.set(signal, timer);
  };
  for (const signal of IGNORED_SIGNALS)
    if (signal !== "SIGPROF" || !sampledByV8()) process.on(signal, () => received(signal));
  const giveReport = (report: IgnoredSignalReport) => {
    reportTo = report;
    for (const signal of [...pending.keys()]) flush(signal);
  };
  ignoring.set(intervalMs, giveReport);
  return giveReport;
}
