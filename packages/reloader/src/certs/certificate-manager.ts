// Keeps HAProxy's certificates equal to their sources: reads metadata (ssl_cert/ssl_key, certs),
// SSL_CERT_DIR and HAPROXY_SSL_CERT every pollIntervalMs, checks each certificate, writes the PEMs and the
// crt-list into <state>/certs, then applies the difference through the runtime API on the supervisor's lock
// (a reload when the API cannot: a payload too large, an unexpected answer). Never throws out of its loop.
import {
  applyCertificateChanges,
  writeCertificateSet,
  type CertificateSupervisor,
} from "./apply-certificate-changes.js";
import type { CertificateManagerOptions } from "./certificate-manager-options.js";
import { CertificatePlanner } from "./certificate-planner.js";
import { CertificateSourceReader } from "./certificate-source-reader.js";
import { CertificateReporter } from "./certificate-reporter.js";
import type { CertificateSnapshot } from "./certificate-state.js";
import { CertificateUpdates } from "./certificate-updates.js";
import { describeCertificates } from "./describe-certificates.js";
import { LoadedDefaultLeaf } from "./loaded-default-leaf.js";
import { loggedNames, type LoggedNames } from "./logged-names.js";
import { desiredCertificateFiles } from "./model/desired-certificate-files.js";
import { diffCertificates, type CertificateFiles as Files } from "./model/plan-certificate-commands.js";
import { nextPassDelay } from "./next-pass-delay.js";
import { removeStaleCertificateFiles } from "./output/write-certificate-files.js";
import { PassSchedule } from "./pass-schedule.js";
import { reportCertificateReload } from "./report-certificate-reload.js";
import { readServedDefault } from "./sources/read-served-default.js";
import { readWrittenCertificates } from "./sources/read-written-certificates.js";
import { StaleFileSweep } from "./stale-file-sweep.js";

export type { CertificateSupervisor } from "./apply-certificate-changes.js";

// The manager: prepare() before HAProxy starts, start(supervisor) once it runs, close() on stop.
export class CertificateManager {
  private loaded: Files = new Map();
  private sourceProblem: string | null = null;
  /** a reload for the certificates failed: the next pass tries it again */
  private reloadPending = false;
  private readonly passes = new PassSchedule();
  /** aborted by close(): a metadata read in flight ends at once instead of holding the stop */
  private readonly closing = new AbortController();
  private readonly now: () => number;
  private readonly updates: CertificateUpdates;
  private readonly sources: CertificateSourceReader;
  private readonly planner: CertificatePlanner;
  private readonly reporter: CertificateReporter;
  private readonly stale: StaleFileSweep;
  private readonly loadedDefault = new LoadedDefaultLeaf();

  constructor(private readonly options: CertificateManagerOptions) {
    this.now = options.now ?? Date.now;
    this.updates = new CertificateUpdates(options.logger, this.now);
    const { client, ssl, logger, paths } = options;
    this.sources = new CertificateSourceReader(client, ssl, logger, paths.lastMetadata);
    this.stale = new StaleFileSweep(paths.dir);
    this.planner = new CertificatePlanner(options, this.now);
    this.reporter = new CertificateReporter(logger);
  }

  // Read, check and write every certificate before HAProxy starts (it loads exactly these files).
  async prepare(): Promise<void> {
    const { ssl } = this.options;
    const served = await readServedDefault(ssl.certPath);
    if (served !== null) this.loaded = served;
    // What an earlier reloader served: a source refused now keeps it, as between two passes.
    this.planner.startFrom(await readWrittenCertificates(this.options.paths.crtList));
    const desired = await this.desired();
    await writeCertificateSet(desired, this.loaded, this.options.paths, ssl.certPath);
    this.loaded = desired;
    // Left by an earlier run: HAProxy (started or adopted and reloaded next) loads only the crt-list's.
    await removeStaleCertificateFiles(this.options.paths.dir, new Set(desired.keys()));
  }

  // Re-read every pollIntervalMs and apply changes; 0: only while certificates wait for HAProxy's check.
  start(supervisor: CertificateSupervisor): void {
    const interval = this.options.ssl.pollIntervalMs;
    const delay = () => nextPassDelay(interval, this.planner.current);
    this.passes.start(() => this.sync(supervisor), delay);
  }

  // Stop polling and wait for a pass in flight.
  async close(): Promise<void> {
    this.passes.stop();
    this.closing.abort();
    await this.passes.running;
  }

  // The state for /healthz, /metrics and /config.
  snapshot(): CertificateSnapshot {
    const leaf = this.loadedDefault.describe(this.loaded.get(this.options.ssl.certPath));
    const described = describeCertificates(this.planner.current, this.sourceProblem, this.now(), leaf);
    return { ...described, ...this.updates.snapshot() };
  }

  // One pass: read, check, and when the set changed, write the files and apply them.
  async sync(supervisor: CertificateSupervisor): Promise<void> {
    try {
      const desired = await this.desired();
      // Closed meanwhile (a stop): nothing more is applied.
      if (this.closing.signal.aborted) return;
      const changes = diffCertificates(this.loaded, desired);
      if (changes.added.length + changes.changed.length + changes.removed.length === 0) {
        if (this.reloadPending) await this.reload(supervisor, { retried: [] });
        await this.stale.sweep(this.loaded.keys());
        return;
      }
      const names = loggedNames(changes);
      const { paths, masterSocket, ssl, logger } = this.options;
      const outcome = await applyCertificateChanges(supervisor, {
        changes,
        desired,
        loaded: this.loaded,
        paths,
        defaultPath: ssl.certPath,
        masterSocket,
        reloadPending: this.reloadPending,
      });
      this.loaded = desired;
      if (outcome.mode !== "reload") this.updates.updated(outcome.mode, names);
      else {
        logger.warn(
          { event: "certs.runtime-failed", reason: outcome.reason },
          "certificate update through the runtime API failed: reloading",
        );
        await this.reload(supervisor, names);
      }
      await this.stale.sweep(this.loaded.keys());
    } catch (error) {
      this.updates.failed(`certificate pass failed: ${String(error)}`);
    }
  }

  // Read the sources (a metadata failure keeps the last answer) and plan; logs what changed.
  private async desired(): Promise<Files> {
    const { ssl, paths } = this.options;
    const read = await this.sources.read(this.closing.signal);
    // Closed during the read (a stop): no planning, no HAProxy check, no log lines; nothing changes.
    if (read === null) return this.loaded;
    this.sourceProblem = read.problem;
    const plan = await this.planner.next(read, this.loaded.get(ssl.certPath)?.pem ?? null);
    this.reporter.report(plan, this.sourceProblem, this.snapshot());
    return desiredCertificateFiles(plan, this.loaded, ssl.certPath, paths.dir);
  }

  // The fallback: a reload loads the files already written; a failed one is tried again next pass. It
  // loads `current` too: after a host rename, staged again first (beforeLoad); until 2026-12-05 the one
  // checked with the old host name was refused until the next rescan (a --config section named
  // "$HAPROXY_LOCALPEER" beside a stack named like the new host name). Closed while beforeLoad waited for
  // the applier's pass (a stop): not sent (HAProxy is being stopped; the next start loads the files);
  // until 2026-12-06 it was sent once that pass ended, beside the stop's soft-stop.
  private async reload(supervisor: CertificateSupervisor, names: LoggedNames): Promise<void> {
    await supervisor.beforeLoad?.();
    if (this.closing.signal.aborted) return;
    const verdict = await supervisor.reload("certificates");
    this.reloadPending = reportCertificateReload(verdict, names, this.updates, this.options.logger);
  }
}
