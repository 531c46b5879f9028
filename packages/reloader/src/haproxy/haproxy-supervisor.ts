// Keeps one master-worker HAProxy running from <state>/current: start (or adopt one a killed reloader
// left running), switching `current` with a confirmed reload, restarts with bounded backoff when it
// dies, graceful stop (master-process.ts). Everything that changes HAProxy or `current` runs one at a
// time on the supervisor's own lock; callers just call the methods.
import type { ProcInfo } from "@rancher-haproxy/core";
import type { ReloadReason } from "../model/plan-update.js";
import { readProc, type Verdict } from "./confirm-reload.js";
import { countReload } from "./count-reload.js";
import { MasterProcess } from "./master-process.js";
import { MasterReloads } from "./master-reloads.js";
import { OldWorkerCount } from "./old-worker-count.js";
import { unsettledReason } from "./settle-late-reload.js";
import { SerialLock } from "./serial-lock.js";
import { SettledWorkers } from "./settled-workers.js";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";
import type { SupervisorOptions } from "./supervisor-options.js";
import { switchCurrent } from "./switch-current.js";
import type { SwitchResult } from "./switch-result.js";

// The HAProxy master-worker the reloader runs: its process, its reloads and its old workers, on one lock.
export class HaproxySupervisor {
  private readonly lock = new SerialLock();
  private readonly master: MasterProcess;
  /** old workers in the last `show proc` read (oldWorkersSeen) */
  private readonly oldWorkerCount = new OldWorkerCount();
  /** the workers a stop's first SIGUSR1 surely reaches (settled-workers.ts) */
  private readonly settledWorkers = new SettledWorkers();
  /** the reloads sent, and the last one while it is not confirmed in time (master-reloads.ts) */
  private readonly reloads: MasterReloads;

  constructor(private readonly options: SupervisorOptions) {
    const stopping = () => this.master.isStopping();
    this.reloads = new MasterReloads(this.oldWorkerCount, options, stopping, this.settledWorkers);
    this.master = new MasterProcess(options, this.lock, this.reloads, this.settledWorkers);
  }

  // True while a master process is alive.
  isRunning(): boolean {
    return this.master.isRunning();
  }

  // True once a stop of HAProxy began (its SIGUSR1 is not on the lock): no reload (MasterReloads) and no
  // runtime-API batch (apply-runtime.ts) goes out from then on.
  isStopping(): boolean {
    return this.master.isStopping();
  }

  // The initial start. Not confirmed ready is a StartupError (exit 1) with HAProxy's own error output,
  // and no HAProxy is left behind.
  start(): Promise<void> {
    return this.lock.run(() => this.master.startOnce());
  }

  // Supervise a running master that is not our child (see adopt/); what it runs is unknown until a
  // reload is confirmed. `stopFollows`: a stop came before the adoption; its end is no failure to restart.
  adopt(child: HaproxyChild, info: ProcInfo, stopFollows = false): Promise<void> {
    return this.lock.run(() => {
      // Its old workers count from the start: unknown (read as none), a first reload went past the hold.
      this.oldWorkerCount.note(info);
      return this.master.adoptOnce(child, info, stopFollows);
    });
  }

  // Run `task` (runtime-API commands for the current worker, see worker-commands.ts) on the supervisor's
  // lock: never while a reload, start or restart is in flight (a starting worker would miss the change).
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.lock.run(task);
  }

  // `reload` on the master CLI, confirmed by show proc; one sent is counted by `reason` and by its result
  // (one not confirmed in time once the master answers again: settleLateReload). `kept`: the snapshot
  // the workers run when `current` names another (an adoption's), where a late refusal points it back.
  reload(reason: ReloadReason, kept: number | null = null): Promise<Verdict> {
    return this.lock.run(async () => {
      const { verdict, sent } = await this.reloadOnce(kept, { reason });
      if (sent) countReload(this.options.status, reason, verdict);
      return verdict;
    });
  }

  // Before a reload of `current` outside the applier's passes (the certificates'): resolves once
  // `current` holds what HAProxy can load now (SupervisorOptions.beforeLoad); never rejects.
  beforeLoad(): Promise<void> {
    return this.options.beforeLoad?.() ?? Promise.resolve();
  }

  // False from a reload that was not confirmed in time until the master answers again: until then
  // what the worker runs is unknown (the applier plans a reload, not runtime steps).
  isSettled(): boolean {
    return this.reloads.late === null;
  }

  // Why a change waits while not settled (null: settled).
  waitingReason(): string | null {
    const late = this.reloads.late;
    return late === null ? null : unsettledReason(late);
  }

  // isSettled, asking the master first (on the lock) when the last reload timed out: true once it answers
  // show proc again, or when HAProxy is not running (its restart loads whatever `current` names).
  settled(): Promise<boolean> {
    if (this.reloads.late === null) return Promise.resolve(true);
    return this.lock.run(async () => !this.isRunning() || (await this.reloads.settle()));
  }

  // Point `current` at `generation` and reload onto it, with no restart in between; a reload the master
  // refused points `current` back. One not confirmed in time does not: the master may still be reading
  // the files through `current`, and pointing it back then could load one generation's base config with
  // another's backends (the snapshot passed haproxy -c, so a restart may load it); an interrupted one
  // does not either (the restart loads it). Pointing it forward has the same risk: after a reload that
  // timed out, `current` moves only once the master answers `show proc` again (it has read its files).
  switchTo(generation: number): Promise<SwitchResult> {
    return this.lock.run(async () => {
      // Settled first: the master's verdict on a reload that timed out may point `current` back.
      const late = this.reloads.late;
      if (late !== null && this.isRunning() && !(await this.reloads.settle()))
        return { kind: "waiting", reason: unsettledReason(late) };
      const reload = async (kept: number | null) => (await this.reloadOnce(kept, { generation })).verdict;
      return switchCurrent(generation, () => this.isRunning(), reload, this.options);
    });
  }

  // How many old workers (earlier generations still finishing connections) the master listed in the
  // last `show proc` the supervisor read (a reload's confirmation, a probe); null: none read yet.
  oldWorkersSeen(): number | null {
    return this.oldWorkerCount.seen();
  }

  // The same, asked of the master now; null when no master runs or it does not answer (a reload then
  // goes ahead: its own checks say why not).
  oldWorkers(): Promise<number | null> {
    return this.lock.run(async () => {
      if (this.master.isStopping() || !this.isRunning()) return null;
      return this.oldWorkerCount.note(await this.readMaster());
    });
  }

  // Whether the master answers `show proc` now (on the lock: never during a reload, when its CLI is down
  // by design); null when no master runs or one is stopping (probe-master-cli.ts).
  probeMaster(): Promise<boolean | null> {
    return this.lock.run(async () => {
      if (this.master.isStopping() || !this.isRunning()) return null;
      return this.oldWorkerCount.note(await this.readMaster()) !== null;
    });
  }

  // Last resort when the reloader itself is exiting without a stop: no orphan HAProxy keeps the ports.
  killNow(): void {
    this.master.killNow();
  }

  // Soft-stop, escalating to SIGTERM/SIGKILL after timeoutMs (stop-haproxy.ts); no restart follows, and
  // no reload is sent from then on (a pass that outlasted the stop's wait for it: reload.skipped-stopping).
  stop(timeoutMs: number): Promise<HaproxyExit | null> {
    return this.master.stop(timeoutMs);
  }

  // `show proc` of the master (on the lock, none of the supervisor's reloads in flight): what it lists is
  // what a stop's SIGUSR1 reaches, unless a reload timed out (settle's to read) or it is silent (null).
  private async readMaster(): Promise<ProcInfo | null> {
    const info = await readProc(this.options.layout.masterSocket);
    if (this.reloads.late === null || info === null) this.settledWorkers.note(info);
    return info;
  }

  // One reload of the master (on the lock), for a caller's `reason` or a switch to `generation`; one a
  // stop refused (MasterReloads.reloadOnce) is logged here, once, for every caller.
  private async reloadOnce(
    kept: number | null,
    about: { reason: ReloadReason } | { generation: number },
  ): Promise<{ verdict: Verdict; sent: boolean }> {
    const result = await this.reloads.reloadOnce(this.master.child, kept);
    if (!result.verdict.ok && result.verdict.kind === "stopping")
      this.options.logger.info(
        { event: "reload.skipped-stopping", ...about },
        "HAProxy is being stopped: the reload is not sent (a soft-stopped master would serve again)",
      );
    return result;
  }
}
