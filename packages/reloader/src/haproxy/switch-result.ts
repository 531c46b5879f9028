// What HaproxySupervisor.switchTo answers (reported by reload/report-switch.ts).
import type { Verdict } from "./confirm-reload.js";

// How a switch to a new snapshot ended: HAProxy was down (it starts from it), or the reload's verdict;
// a reload that was refused or not confirmed left `current` on `kept` again.
// `waiting`: no reload was sent and `current` did not move, because the last reload timed out and the
// master has not answered since. `stopping`: no reload was sent, a stop of HAProxy began (the supervisor
// logged reload.skipped-stopping); `current` is back on what the workers run.
export type SwitchResult =
  | { kind: "deferred" }
  | { kind: "reloaded"; verdict: Verdict; kept: number | null }
  | { kind: "waiting"; reason: string }
  | { kind: "stopping" };
