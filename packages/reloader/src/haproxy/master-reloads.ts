// The reloads the supervisor sends to the master, and the one it did not confirm in time, kept until the
// master answers again: what `current` and the applier wait for (haproxy-supervisor.ts), judged then by
// settleLateReload.
import { readProc, type Verdict } from "./confirm-reload.js";
import type { OldWorkerCount } from "./old-worker-count.js";
import { refusedByStop } from "./reload-master.js";
import { sendReload } from "./send-reload.js";
import { settleLateReload, unsettledReason, type LateReload } from "./settle-late-reload.js";
import { SettledWorkers } from "./settled-workers.js";
import type { HaproxyChild } from "./spawn-haproxy.js";
import type { SupervisorOptions } from "./supervisor-options.js";

// Reloads of the running master, and the one not confirmed in time; every method is called on the lock.
export class MasterReloads {
  /** the last reload was not confirmed in time (from any caller): the master may still be reading the
   * files through `current`, so `current` must not move, and what the worker runs is not known, until
   * the master answers again (settle, which then reads the master's verdict on it) */
  private unsettled: LateReload | null = null;

  constructor(
    private readonly oldWorkerCount: OldWorkerCount,
    private readonly options: SupervisorOptions,
    /** a stop of HAProxy began (MasterProcess.isStopping): no reload goes out from then on */
    private readonly stopping: () => boolean,
    /** what a stop's watch need not soft-stop again: unknown from a reload's start until its verdict */
    private readonly settledWorkers = new SettledWorkers(),
  ) {}

  // The reload waiting for the master's answer (null: settled).
  get late(): LateReload | null {
    return this.unsettled;
  }

  // A new master (spawned or adopted) runs what it loaded: nothing waits for its answer.
  clear(): void {
    this.unsettled = null;
  }

  // The master exited: a reload not confirmed in time that it never answered for is counted now, once.
  interrupted(): void {
    if (this.unsettled !== null) this.options.status.reloadCounted("interrupted");
    this.unsettled = null;
  }

  // `kept`: the snapshot `current` named before a switch sent this reload (settleLateReload). `sent`:
  // false when HAProxy was not running, the master had not answered since a reload that timed out, or a
  // stop of HAProxy began (verdict `stopping`, asked here and again right before `reload` would go out:
  // the stop's SIGUSR1 is not on the lock). Every reload (a switch's, the runtime fallback's, the
  // certificates', the adoption's) comes here: until 2026-12-06 one whose pass outlasted the stop's wait
  // for it reached the soft-stopped master, whose new worker listened and served again during the stop.
  async reloadOnce(
    child: HaproxyChild | null,
    kept: number | null,
  ): Promise<{ verdict: Verdict; sent: boolean }> {
    if (this.stopping()) return { verdict: refusedByStop(null), sent: false };
    if (!child?.isAlive())
      return {
        verdict: { ok: false, kind: "exited", reason: "HAProxy is not running", info: null },
        sent: false,
      };
    // In flight from here: a stop now cannot tell whether its SIGUSR1 reached the workers (HAProxy 2.6 loses
    // it during the re-execution, a refused one's too).
    this.settledWorkers.forget();
    // Another reload sent before the master answered again would lose its verdict on the one that timed out.
    const late = this.unsettled;
    if (late !== null && !(await this.settle()))
      return {
        verdict: { ok: false, kind: "timeout", reason: unsettledReason(late), info: null },
        sent: false,
      };
    const sent = await sendReload(child, kept, this.oldWorkerCount, this.options, this.stopping);
    this.unsettled = sent.late;
    // Confirmed or refused, the master answered after its re-execution: back in its loop.
    if (sent.verdict.ok || sent.verdict.kind === "rejected") this.settledWorkers.note(sent.verdict.info);
    const went = sent.verdict.ok || sent.verdict.kind !== "stopping";
    // A stop began while this reload was on its way: its SIGUSR1 landed after the check right before
    // `reload` was written (while the CLI connection opened; the master passed it to the old workers, then
    // re-executed), or during the re-execution (HAProxy 2.6 loses it then). Either way the new worker
    // listened and served through the stop (found by a review). Soft-stopped again at once: the master
    // passes it on to that worker too. One not confirmed in time may still be re-executing, which loses
    // this signal too: the stop's watch (softStopNewWorkers) sends it once more when the master lists
    // the new worker.
    if (went && this.stopping() && child.isAlive()) child.signal("SIGUSR1");
    return { verdict: sent.verdict, sent: went };
  }

  // After a reload that timed out: true once the master answers show proc (it is back in its loop, done
  // reading its files) and its verdict on that reload is taken (settleLateReload), false while it still
  // does not answer. Called on the lock.
  async settle(): Promise<boolean> {
    const late = this.unsettled;
    if (late === null) return true;
    const info = await readProc(this.options.layout.masterSocket);
    if (this.unsettled !== late) return true; // HAProxy exited meanwhile (onExit counted the reload)
    if (info === null) return false;
    // The count noted at the timeout was show proc's before that reload went live (if it did).
    this.oldWorkerCount.note(info);
    await settleLateReload(late, info, this.options);
    this.unsettled = null;
    this.settledWorkers.note(info);
    return true;
  }
}
