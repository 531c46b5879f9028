// RELOADER_STOP_UNDER_WAY: set by the image's entrypoint (not meant for users) on a reloader it starts
// while a stop of the container is under way, naming the stop's signal; the entrypoint then sends no
// signal (a second one makes the reloader exit at once, HAProxy killed). Passed as a signal once the new
// reloader handled SIGHUP, the stop came after the adoption of the running master, which often reloaded
// the master its killed reloader had soft-stopped (HAProxy 2.6 takes it: the new worker listened again).
import { OptionsError } from "@rancher-haproxy/core/options";

// The variable's name, and the signals a stop comes as.
export const STOP_UNDER_WAY_VARIABLE = "RELOADER_STOP_UNDER_WAY";
const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

// The stop that came before this start, or null (unset, or blanks only: unset, as for every variable);
// takes it out of `env` (what HAProxy and `haproxy -c` would inherit). Throws an OptionsError naming the
// variable and its value when it is none of SIGTERM, SIGINT, SIGHUP.
export function takeStopUnderWay(env: NodeJS.ProcessEnv): StopSignal | null {
  const raw = env[STOP_UNDER_WAY_VARIABLE];
  delete env[STOP_UNDER_WAY_VARIABLE];
  if (raw === undefined || raw.trim() === "") return null;
  const value = raw.trim();
  const known = STOP_SIGNALS.find((signal) => signal === value);
  if (known !== undefined) return known;
  throw new OptionsError(
    `${STOP_UNDER_WAY_VARIABLE}=${JSON.stringify(raw.slice(0, 100))} is not a stop signal: ` +
      `expected ${STOP_SIGNALS.join(", ")} (set by the image's entrypoint, not meant for users)`,
  );
}
