// The variables HAProxy 2.6 sets itself while it parses a config, as config-read-words.ts reads them:
// before every parse (haproxySets), and in a master's reload only (RELOAD_SETS, reloadOf). Pure.
import type { HaproxyEnvironment } from "./config-read-words.js";
import type { HaproxySelf } from "./haproxy-build.js";
import type { VariableLookup } from "./haproxy-line-words.js";

// What HAProxy 2.6 gives a variable before it parses (checked with `.notice "$X"` lines under
// `haproxy -c -W` and a master's start and reload, the variable inherited and not): HAPROXY_LOCALPEER the
// host name (gethostname, over any inherited value: the reloader passes no -L), HAPROXY_STARTUP_VERSION
// the binary's version unless inherited; any other, what HAProxy inherits (INHERITED), in a master's
// reload too unless RELOAD_SETS says otherwise. Null: not known (no host name, no build read).
export function haproxySets(
  name: string,
  environment: HaproxyEnvironment,
  self: HaproxySelf | undefined,
): string | null | typeof INHERITED {
  if (name === "HAPROXY_LOCALPEER") return self?.hostname ?? null;
  if (name === "HAPROXY_STARTUP_VERSION" && !environment.has(name)) return self?.build?.version ?? null;
  // Set only in wait mode, after a failed reload, where HAProxy may not parse as it does here.
  if (name === "HAPROXY_MWORKER_WAIT_ONLY") return null;
  return INHERITED;
}

// A variable HAProxy leaves as it inherited it.
export const INHERITED = Symbol("inherited");

// The variables a master's reload parses with another value than `haproxy -c` (checked as above): the
// master sets them after its first parse, and its re-executed self inherits them.
export const RELOAD_SETS: readonly string[] = [
  "HAPROXY_MWORKER",
  "HAPROXY_MWORKER_REEXEC",
  "HAPROXY_CFGFILES",
  "HAPROXY_CLI",
  "HAPROXY_MASTER_CLI",
  "HAPROXY_PROCESSES",
];

// What a master's reload parses with, from what its previous parse left (`after`): HAPROXY_MWORKER and
// HAPROXY_MWORKER_REEXEC are 1; the files, sockets and pids in HAPROXY_CFGFILES, HAPROXY_CLI,
// HAPROXY_MASTER_CLI and HAPROXY_PROCESSES are not known here (each holds a `/`, `@` or `|`, so a section
// named from one is never a generated backend's name); HAPROXY_LOCALPEER is set again before the parse.
export function reloadOf(after: VariableLookup, self: HaproxySelf | undefined): VariableLookup {
  return (name) => {
    if (name === "HAPROXY_MWORKER" || name === "HAPROXY_MWORKER_REEXEC") return "1";
    if (RELOAD_SETS.includes(name)) return null;
    if (name === "HAPROXY_LOCALPEER") return self?.hostname ?? null;
    return after(name);
  };
}
