// The supervisor's HAProxy master process: the child, started (or adopted), restarted with bounded
// backoff when it dies, stopped. A first start that fails is not retried: at start-up nothing serves yet,
// and a port in use will not free itself. Its methods run on the supervisor's lock (haproxy-supervisor.ts).
import type { ProcInfo } from "@rancher-haproxy/core";
import { rm } from "node:fs/promises";
import { clearKept } from "../output/kept-link.js";
import { StartupError } from "../startup-error.js";
import type { Verdict } from "./confirm-reload.js";
import { describeStartFailure } from "./describe-start-failure.js";
import { endFailedStart } from "./end-failed-start.js";
import { launchMaster } from "./launch-master.js";
import type { MasterReloads } from "./master-reloads.js";
import { reportAdopted } from "./report-adopted.js";
import { reportUnexpectedExit } from "./report-unexpected-exit.js";
import { RestartScheduler } from "./restart-scheduler.js";
import type { SerialLock } from "./serial-lock.js";
import type { SettledWorkers } from "./settled-workers.js";
import { StderrTail } from "./stderr-tail.js";
import { stopHaproxy } from "./stop-haproxy.js";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";
import type { SupervisorOptions } from "./supervisor-options.js";

// The HAProxy child and its restart policy.
export class MasterProcess {
  /** the master process (null: none spawned or adopted, or it exited); read by the supervisor */
  child: HaproxyChild | null = null;
  private startedAt = 0;
  /** when the current child was confirmed serving (null: not yet), what the restart policy counts */
  private readyAt: number | null = null;
  private stopping = false;
  /** a master was confirmed serving (started or adopted): from then on, exits are restarted */
  private confirmed = false;
  private readonly restarts: RestartScheduler;

  constructor(
    private readonly options: SupervisorOptions,
    lock: SerialLock,
    /** a new master (spawned or adopted) clears the reload not confirmed in time; an exit counts it */
    private readonly reloads: Pick<MasterReloads, "clear" | "interrupted">,
    /** the workers a stop's SIGUSR1 surely reaches: known from a confirmed start or an adoption on */
    private readonly settledWorkers: SettledWorkers,
  ) {
    // A restart loads `current`: beforeLoad first (off the lock: it may run an applier pass, whose
    // switch takes the lock), so a host rename since its check stages it again before (until 2026-12-05
    // the restart loaded the snapshot checked with the old host name, and failed until the next rescan).
    this.restarts = new RestartScheduler(options, () => {
      if (this.stopping) return;
      void (options.beforeLoad?.() ?? Promise.resolve()).then(() => {
        if (!this.stopping) void lock.run(() => this.launch("restart"));
      });
    });
  }

  // True while a master process is alive.
  isRunning(): boolean {
    return this.child?.isAlive() ?? false;
  }

  // True once a stop (or killNow) began: no restart, no probe.
  isStopping(): boolean {
    return this.stopping;
  }

  // The initial start (on the lock); not confirmed ready is a StartupError, no HAProxy left behind.
  async startOnce(): Promise<void> {
    const stderr = new StderrTail();
    const { verdict, child } = await this.launch("start", (line) => stderr.push(line));
    if (verdict.ok) {
      stderr.stop();
      return;
    }
    const exit = await endFailedStart(child, this.options.layout.pidFile);
    throw new StartupError(describeStartFailure(verdict, exit, stderr.lines), 1, "haproxy.start-failed");
  }

  // Supervise a running master that is not our child (on the lock; see adopt/). `stopFollows`: a stop came
  // before the adoption, so the master's end is expected (one a killed reloader soft-stopped ends once its
  // connections do): not reported as unexpected, nor restarted (until 2026-12-05 `haproxy.exited` and
  // `haproxy.restarting` came during a container's stop, and a new master after 0.5 s).
  async adoptOnce(child: HaproxyChild, info: ProcInfo, stopFollows = false): Promise<void> {
    if (stopFollows) this.stopping = true;
    this.child = child;
    this.reloads.clear();
    this.confirmed = true;
    this.startedAt = performance.now();
    this.readyAt = this.startedAt;
    // One a stop follows may be about to take a reload its killed reloader sent: none known.
    if (stopFollows) this.settledWorkers.forget();
    else this.settledWorkers.note(info);
    void child.exited.then((exit) => this.onExit(child, exit));
    await reportAdopted(child, info, this.options);
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
    const { logger, layout } = this.options;
    const exit = await stopHaproxy(
      child,
      timeoutMs,
      logger,
      layout.masterSocket,
      this.settledWorkers.known(),
    );
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
        this.reloads.clear();
        this.settledWorkers.forget();
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
      if (launch.child === this.child) {
        this.readyAt = performance.now();
        this.settledWorkers.note(launch.verdict.info);
      }
    }
    return launch;
  }

  private onExit(child: HaproxyChild, exit: HaproxyExit): void {
    if (child !== this.child) return;
    this.child = null;
    this.settledWorkers.forget();
    this.options.status.haproxyStarted(null);
    this.reloads.interrupted();
    if (this.stopping || !this.confirmed) return; // a failed first start is start()'s to report
    const servedMs = reportUnexpectedExit(child, exit, this.startedAt, this.readyAt, this.options);
    this.scheduleRestart(servedMs);
  }

  private scheduleRestart(uptimeMs: number): void {
    if (this.stopping) return;
    this.restarts.schedule(uptimeMs);
  }
}
