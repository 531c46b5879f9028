// Restarts of a master that died, for HaproxySupervisor: the restart policy's decision on each exit
// logged, then a relaunch after its delay, or the give-up handed to onGiveUp.
import { RestartPolicy } from "./restart-policy.js";
import type { SupervisorOptions } from "./supervisor-options.js";

// The restart policy and the one pending restart's timer; `relaunch` is called when the timer fires.
export class RestartScheduler {
  private readonly policy: RestartPolicy;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: Pick<SupervisorOptions, "maxRestarts" | "logger" | "onGiveUp">,
    private readonly relaunch: () => void,
  ) {
    this.policy = new RestartPolicy(options.maxRestarts);
  }

  // A master exited (or could not be spawned) after serving uptimeMs: relaunch after the policy's delay,
  // or give up (haproxy.gave-up, onGiveUp) after too many failures in a row.
  schedule(uptimeMs: number): void {
    const decision = this.policy.next(uptimeMs);
    if (decision.giveUp) {
      const error = new Error(`HAProxy failed ${decision.failures} times in a row; giving up`);
      this.options.logger.fatal({ event: "haproxy.gave-up", failures: decision.failures }, error.message);
      this.options.onGiveUp(error);
      return;
    }
    const { attempt, delayMs } = decision;
    this.options.logger.warn({ event: "haproxy.restarting", attempt, delayMs }, "restarting HAProxy");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.relaunch();
    }, delayMs);
  }

  // No restart follows (a stop): the pending one, if any, is cancelled.
  cancel(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
  }
}
