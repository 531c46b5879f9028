// Keeps one master-worker HAProxy running from <state>/current: start (or adopt one a killed reloader
// left running), switching `current` with a confirmed reload, restarts with bounded backoff when it
// dies, graceful stop. A first start that fails is not retried: at start-up nothing serves yet, and a
// port in use will not free itself. Everything that changes HAProxy or `current` runs one at a time
// on the supervisor's own lock; callers just call the methods.
import { currentWorker, type ProcInfo } from "@rancher-haproxy/core";
import { rm } from "node:fs/promises";
import { writeFileAtomic } from "@rancher-haproxy/core";
import type { ReloadReason } from "../model/plan-update.js";
import { clearKept, noteReloadSent, pointKept } from "../output/kept-link.js";
import { pointCurrent } from "../output/stage-snapshot.js";
import { readWorkersGeneration } from "../sources/read-state-dir.js";
import { StartupError } from "../startup-error.js";
import { readProc, type Verdict } from "./confirm-reload.js";
import { countOldWorkers } from "./count-old-workers.js";
import { countReload } from "./count-reload.js";
import { describeStartFailure } from "./describe-start-failure.js";
import { endFailedStart } from "./end-failed-start.js";
import { launchMaster } from "./launch-master.js";
import { reloadMaster } from "./reload-master.js";
import { sentOf, settleLateReload, unsettledReason, type LateReload } from "./settle-late-reload.js";
import { RestartScheduler } from "./restart-scheduler.js";
import { SerialLock } from "./serial-lock.js";
import { stopHaproxy } from "./stop-haproxy.js";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";
import type { SupervisorOptions } from "./supervisor-options.js";
import type { SwitchResult } from "./switch-result.js";

// How many of HAProxy's last stderr lines a first start keeps for its failure message.
const START_STDERR_LINES = 1000;

// The HAProxy child and its restart policy.
export class HaproxySupervisor {
  private readonly lock = new SerialLock();
  private child: HaproxyChild | null = null;
  private startedAt = 0;
  /** when the current child was confirmed serving (null: not yet), what the restart policy counts */
  private readyAt: number | null = null;
  private stopping = false;
  /** a master was confirmed serving (started or adopted): from then on, exits are restarted */
  private confirmed = false;
  private readonly restarts: RestartScheduler;
  /** the last reload was not confirmed in time (from any caller): the master may still be reading the
   * files through `current`, so `current` must not move, and what the worker runs is not known, until
   * the master answers again (settle, which then reads the master's verdict on it) */
  private unsettled: LateReload | null = null;
  /** old workers in the last `show proc` read (oldWorkersSeen) */
  private oldWorkerCount: number | null = null;

  constructor(private readonly options: SupervisorOptions) {
    this.restarts = new RestartScheduler(options, () => {
      if (!this.stopping) void this.lock.run(() => this.launch("restart"));
    });
  }

  // True while a master process is alive.
  isRunning(): boolean {
    return this.child?.isAlive() ?? false;
  }

  // The initial start. Not confirmed ready is a StartupError (exit 1) with HAProxy's own error output,
  // and no HAProxy is left behind.
  start(): Promise<void> {
    return this.lock.run(() => this.startOnce());
  }

  private async startOnce(): Promise<void> {
    // Kept for the failure message only while the start is undecided, the last START_STDERR_LINES: the
    // master keeps this pipe for its whole life (each reload's notices and warnings, a line per proxy).
    const stderr: string[] = [];
    let keep = true;
    const { verdict, child } = await this.launch("start", (line) => {
      if (keep && stderr.push(line) > START_STDERR_LINES) stderr.shift();
    });
    if (verdict.ok) {
      keep = false;
      return;
    }
    const exit = await endFailedStart(child, this.options.layout.pidFile);
    throw new StartupError(describeStartFailure(verdict, exit, stderr), 1, "haproxy.start-failed");
  }

  // Supervise a running master that is not our child (see adopt/); what it runs is unknown until a
  // reload is confirmed.
  adopt(child: HaproxyChild, info: ProcInfo): Promise<void> {
    return this.lock.run(() => this.adoptOnce(child, info));
  }

  private async adoptOnce(child: HaproxyChild, info: ProcInfo): Promise<void> {
    const { layout, logger, status } = this.options;
    this.child = child;
    this.unsettled = null;
    this.confirmed = true;
    this.startedAt = performance.now();
    this.readyAt = this.startedAt;
    // Its old workers count from the start: unknown (read as none), a first reload went past the hold.
    this.noteOldWorkers(info);
    status.haproxyStarted(child.pid);
    const worker = currentWorker(info);
    if (worker) status.workerConfirmed(worker.pid, info.reloads, "unknown");
    void child.exited.then((exit) => this.onExit(child, exit));
    await writeFileAtomic(layout.pidFile, `${child.pid}\n`).catch(() => undefined);
    logger.info(
      { event: "haproxy.adopted", pid: child.pid, workerPid: worker?.pid ?? null, reloads: info.reloads },
      "adopted the HAProxy master a previous reloader left running",
    );
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
      const { verdict, sent } = await this.reloadOnce(kept);
      if (sent) countReload(this.options.status, reason, verdict);
      return verdict;
    });
  }

  // False from a reload that was not confirmed in time until the master answers again: until then
  // what the worker runs is unknown (the applier plans a reload, not runtime steps).
  isSettled(): boolean {
    return this.unsettled === null;
  }

  // Why a change waits while not settled (null: settled).
  waitingReason(): string | null {
    return this.unsettled === null ? null : unsettledReason(this.unsettled);
  }

  // isSettled, asking the master first (on the lock) when the last reload timed out: true once it answers
  // show proc again, or when HAProxy is not running (its restart loads whatever `current` names).
  settled(): Promise<boolean> {
    if (this.unsettled === null) return Promise.resolve(true);
    return this.lock.run(async () => !this.isRunning() || (await this.settle()));
  }

  // Point `current` at `generation` and reload onto it, with no restart in between; a reload the master
  // refused points `current` back. One not confirmed in time does not: the master may still be reading
  // the files through `current`, and pointing it back then could load one generation's base config with
  // another's backends (the snapshot passed haproxy -c, so a restart may load it); an interrupted one
  // does not either (the restart loads it). Pointing it forward has the same risk: after a reload that
  // timed out, `current` moves only once the master answers `show proc` again (it has read its files).
  switchTo(generation: number): Promise<SwitchResult> {
    return this.lock.run(async () => {
      const { layout, status } = this.options;
      // Settled first: the master's verdict on a reload that timed out may point `current` back.
      const late = this.unsettled;
      if (late !== null && this.isRunning() && !(await this.settle()))
        return { kind: "waiting", reason: unsettledReason(late) };
      // What the workers run: `current`, or the `kept` link a reload the master gave no verdict on left
      // (settleLateReload): taken from `current` then, a refusal pointed `current` "back" at a snapshot
      // no worker ever loaded (found by a review). Until the verdict, the workers run `kept`: a reloader
      // killed meanwhile leaves the link for the next.
      const kept = await readWorkersGeneration(layout);
      if (kept !== null && kept !== generation && this.isRunning()) await pointKept(layout, kept);
      await pointCurrent(layout, generation);
      status.currentIs(generation);
      if (!this.isRunning()) return { kind: "deferred" };
      const { verdict } = await this.reloadOnce(kept);
      if (!verdict.ok && verdict.kind === "rejected" && kept !== null) {
        await pointCurrent(layout, kept);
        status.currentIs(kept);
        await clearKept(layout);
      }
      return { kind: "reloaded", verdict, kept };
    });
  }

  // `kept`: the snapshot `current` named before a switch sent this reload (settleLateReload). `sent`:
  // false when HAProxy was not running or the master had not answered since a reload that timed out.
  private async reloadOnce(kept: number | null = null): Promise<{ verdict: Verdict; sent: boolean }> {
    const child = this.child;
    if (!child?.isAlive())
      return {
        verdict: { ok: false, kind: "exited", reason: "HAProxy is not running", info: null },
        sent: false,
      };
    // Another reload sent before the master answered again would lose its verdict on the one that timed out.
    const late = this.unsettled;
    if (late !== null && !(await this.settle()))
      return {
        verdict: { ok: false, kind: "timeout", reason: unsettledReason(late), info: null },
        sent: false,
      };
    const { layout, reloadTimeoutMs, status } = this.options;
    // Noted for a reloader killed before the verdict (kept-link.ts).
    const note = (info: ProcInfo) => noteReloadSent(layout, info);
    const { verdict, before } = await reloadMaster(child, layout.masterSocket, reloadTimeoutMs, note);
    this.noteOldWorkers(verdict.info ?? before);
    if (verdict.ok) {
      status.workerConfirmed(verdict.workerPid, verdict.info.reloads);
      await clearKept(layout);
    }
    this.unsettled = !verdict.ok && verdict.kind === "timeout" ? { before, kept, ...sentOf(verdict) } : null;
    return { verdict, sent: true };
  }

  // After a reload that timed out: true once the master answers show proc (it is back in its loop, done
  // reading its files) and its verdict on that reload is taken (settleLateReload), false while it still
  // does not answer. Called on the lock.
  private async settle(): Promise<boolean> {
    const late = this.unsettled;
    if (late === null) return true;
    const info = await readProc(this.options.layout.masterSocket);
    if (this.unsettled !== late) return true; // HAProxy exited meanwhile (onExit counted the reload)
    if (info === null) return false;
    // The count noted at the timeout was show proc's before that reload went live (if it did).
    this.noteOldWorkers(info);
    await settleLateReload(late, info, this.options);
    this.unsettled = null;
    return true;
  }

  // How many old workers (earlier generations still finishing connections) the master listed in the
  // last `show proc` the supervisor read (a reload's confirmation, a probe); null: none read yet.
  oldWorkersSeen(): number | null {
    return this.oldWorkerCount;
  }

  // The same, asked of the master now; null when no master runs or it does not answer (a reload then
  // goes ahead: its own checks say why not).
  oldWorkers(): Promise<number | null> {
    return this.lock.run(async () => {
      if (this.stopping || !this.isRunning()) return null;
      return this.noteOldWorkers(await readProc(this.options.layout.masterSocket));
    });
  }

  private noteOldWorkers(info: ProcInfo | null): number | null {
    if (info === null) return null;
    this.oldWorkerCount = countOldWorkers(info);
    return this.oldWorkerCount;
  }

  // Whether the master answers `show proc` now (on the lock: never during a reload, when its CLI is down
  // by design); null when no master runs or one is stopping (probe-master-cli.ts).
  probeMaster(): Promise<boolean | null> {
    return this.lock.run(async () => {
      if (this.stopping || !this.isRunning()) return null;
      return this.noteOldWorkers(await readProc(this.options.layout.masterSocket)) !== null;
    });
  }

  // Last resort when the reloader itself is exiting without a stop: no orphan HAProxy keeps the ports.
  killNow(): void {
    this.stopping = true;
    this.child?.signal("SIGKILL");
  }

  // Soft-stop, escalating to SIGTERM/SIGKILL after timeoutMs (stop-haproxy.ts); no restart follows.
  async stop(timeoutMs: number): Promise<HaproxyExit | null> {
    this.stopping = true;
    this.restarts.cancel();
    const child = this.child;
    if (!child) return null;
    const exit = await stopHaproxy(child, timeoutMs, this.options.logger);
    await rm(this.options.layout.pidFile, { force: true });
    return exit;
  }

  private async launch(
    reason: "start" | "restart",
    onStderr?: (line: string) => void,
  ): Promise<{ verdict: Verdict; child: HaproxyChild | null }> {
    if (this.stopping)
      return { verdict: { ok: false, kind: "exited", reason: "stopping", info: null }, child: null };
    // The master about to start runs `current`: a `kept` link (of a reload HAProxy exited during) is about
    // one that is gone. Removed once ready, a reloader killed before then left it, and the next, adopting
    // this master, pointed `current` at a snapshot it never ran when its reload was refused (a review).
    await clearKept(this.options.layout);
    const launch = await launchMaster(
      this.options,
      reason,
      (child) => {
        this.child = child;
        this.unsettled = null;
        this.startedAt = performance.now();
        this.readyAt = null;
        void child.exited.then((exit) => this.onExit(child, exit));
        // A stop that came while the process was being spawned saw no child and returned: this master
        // (detached, not yet serving) would outlive the reloader.
        if (this.stopping) child.signal("SIGKILL");
      },
      onStderr,
    );
    if (launch.child === null && !launch.verdict.ok && reason === "restart") {
      const { logger, bin } = this.options;
      logger.error(
        { event: "haproxy.spawn-failed", bin, err: launch.verdict.reason },
        "cannot start HAProxy",
      );
      this.scheduleRestart(0);
    }
    if (launch.verdict.ok) {
      this.confirmed = true;
      if (launch.child === this.child) this.readyAt = performance.now();
    }
    return launch;
  }

  private onExit(child: HaproxyChild, exit: HaproxyExit): void {
    if (child !== this.child) return;
    this.child = null;
    this.options.status.haproxyStarted(null);
    // A reload not confirmed in time that the master never answered for: counted now, once.
    if (this.unsettled !== null) this.options.status.reloadCounted("interrupted");
    this.unsettled = null;
    if (this.stopping || !this.confirmed) return; // a failed first start is start()'s to report
    const uptimeMs = Math.round(performance.now() - this.startedAt);
    // A master that never became ready (killed after the reload timeout) ran for nothing: a failure,
    // however long it took (counted from its spawn, 10 s of waiting reset the restart count each time).
    const servedMs = this.readyAt === null ? 0 : Math.round(performance.now() - this.readyAt);
    const reason = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? "?"}`;
    this.options.logger.error(
      { event: "haproxy.exited", pid: child.pid, code: exit.code, signal: exit.signal, uptimeMs, servedMs },
      `HAProxy ${reason} unexpectedly`,
    );
    this.options.status.restarted(`HAProxy ${reason}`);
    this.scheduleRestart(servedMs);
  }

  private scheduleRestart(uptimeMs: number): void {
    if (this.stopping) return;
    this.restarts.schedule(uptimeMs);
  }
}
