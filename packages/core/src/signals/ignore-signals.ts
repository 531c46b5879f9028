// Signals both programs ignore (each logged as received): node's default for each ends the process at
// once, mid-cycle for generate-maps and with HAProxy orphaned for the reloader, or (SIGTSTP) stops it,
// and SIGUSR1 makes node open its inspector on 127.0.0.1:9229 (code execution for any local process). A
// listener keeps node 20 from opening it (node ≥ 22.14 has --disable-sigusr1; node 20 has not). The image's
// entrypoint ignores the same signals (docker-entrypoint.sh); SIGTERM, SIGINT and SIGHUP are each program's
// graceful stop, and SIGPIPE and SIGXFSZ node already ignores (a listener on SIGPIPE would log on every
// write to a closed stdout, itself a write to it). Linux's real-time signals node cannot listen to.
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
  "SIGSTKFLT",
  "SIGTSTP",
] as const satisfies readonly NodeJS.Signals[];

/** Receives each ignored signal once the logger exists. */
export type IgnoredSignalReport = (signal: NodeJS.Signals) => void;

// Ignores IGNORED_SIGNALS from now on, for the process's life (removing the last listener would restore
// node's default). Called first thing, before the logger exists: the signals received until the returned
// function gives a report are noted, then passed to it; later ones go to it at once.
export function ignoreSignals(): (report: IgnoredSignalReport) => void {
  const noted: NodeJS.Signals[] = [];
  let reportTo: IgnoredSignalReport = (signal) => void noted.push(signal);
  for (const signal of IGNORED_SIGNALS) process.on(signal, () => reportTo(signal));
  return (report) => {
    reportTo = report;
    for (const signal of noted.splice(0)) report(signal);
  };
}
