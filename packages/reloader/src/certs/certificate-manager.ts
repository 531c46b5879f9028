// Keeps HAProxy's certificates equal to their sources: reads metadata (ssl_cert/ssl_key, certs),
// SSL_CERT_DIR and HAPROXY_SSL_CERT every pollIntervalMs, checks each certificate, writes the PEMs and the crt-list into
// <state>/certs, then applies the difference through the runtime API on the supervisor's lock (a reload
// when the API cannot: a payload too large, an unexpected answer). Never throws out of its loop.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { CHECK_TIMEOUT_MS } from "../haproxy/check-config.js";
import {
  applyCertificateChanges,
  writeCertificateSet,
  type CertificateSupervisor,
} from "./apply-certificate-changes.js";
import type { CertificateManagerOptions } from "./certificate-manager-options.js";
import { CheckCertificateCache } from "./check-certificate-cached.js";
import { UNCHECKED_REASON } from "./verify-with-haproxy.js";
import { describeCertificates } from "./describe-certificates.js";
import { EXPIRY_WARNING_DAYS, type CertificateSnapshot } from "./certificate-state.js";
import { CertificateUpdates } from "./certificate-updates.js";
import { loggedNames, type LoggedNames } from "./logged-names.js";
import { describeLeaf } from "./model/describe-leaf.js";
import { desiredCertificateFiles } from "./model/desired-certificate-files.js";
import { diffCertificates, type CertificateFiles as Files } from "./model/plan-certificate-commands.js";
import { keepPreviousCertificates, presentCertificateLabels } from "./model/keep-previous-certificates.js";
import { planCertificates, type CertificatePlan } from "./model/plan-certificates.js";
import { removeStaleCertificateFiles } from "./output/write-certificate-files.js";
import { reportCertificates, reportKey } from "./report-certificates.js";
import { readCertificateSources } from "./sources/read-certificate-sources.js";
import type { MetadataCerts } from "./sources/read-metadata-certs.js";
import { LastMetadataCerts } from "./sources/last-metadata-certs.js";

// How long a certificate file stays after it left the crt-list: longer than any routing check that may
// have started before (it loads every file the list it read names).
const STALE_FILE_GRACE_MS = CHECK_TIMEOUT_MS + 5_000;

/** CERT_POLL_INTERVAL=0: how soon certificates HAProxy could not check are checked again */
const RECHECK_MS = 5_000;

export type { CertificateSupervisor } from "./apply-certificate-changes.js";

// The manager: prepare() before HAProxy starts, start(supervisor) once it runs, close() on stop.
export class CertificateManager {
  private loaded: Files = new Map();
  private metadata: MetadataCerts | null = null;
  private plan: CertificatePlan = { default: null, certs: [], skipped: [] };
  private sourceProblem: string | null = null;
  private reported = "";
  /** a reload for the certificates failed: the next pass tries it again */
  private reloadPending = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  /** aborted by close(): a metadata read in flight ends at once instead of holding the stop */
  private readonly closing = new AbortController();
  private readonly now: () => number;
  private readonly updates: CertificateUpdates;
  private readonly checks = new CheckCertificateCache();
  private readonly lastAnswer: LastMetadataCerts;
  /** certificate files out of the crt-list, by name, since when (removed after STALE_FILE_GRACE_MS) */
  private readonly staleSince = new Map<string, number>();
  /** the loaded default certificate as status shows it when no checked default was accepted */
  private describedDefault: { digest: string; leaf: ReturnType<typeof describeLeaf> } | null = null;

  constructor(private readonly options: CertificateManagerOptions) {
    this.now = options.now ?? Date.now;
    this.updates = new CertificateUpdates(options.logger, this.now);
    this.lastAnswer = new LastMetadataCerts(options.paths.lastMetadata);
  }

  // Read, check and write every certificate before HAProxy starts (it loads exactly these files).
  async prepare(): Promise<void> {
    const { ssl } = this.options;
    const onDisk = await readFile(ssl.certPath, "utf8").catch(() => null);
    if (onDisk !== null) this.loaded = new Map([[ssl.certPath, { digest: digest(onDisk), pem: onDisk }]]);
    const desired = await this.desired();
    await writeCertificateSet(desired, this.loaded, this.options.paths, ssl.certPath);
    this.loaded = desired;
    // Left by an earlier run: HAProxy (started or adopted and reloaded next) loads only the crt-list's.
    await removeStaleCertificateFiles(this.options.paths.dir, new Set(desired.keys()));
  }

  // Re-read every pollIntervalMs and apply changes; 0: only while certificates wait for HAProxy's check
  // (before, one whose check could not run at start stayed skipped until the next start).
  start(supervisor: CertificateSupervisor): void {
    const interval = this.options.ssl.pollIntervalMs;
    const schedule = () => {
      const delay = interval > 0 ? interval : this.waitingForCheck() ? RECHECK_MS : null;
      this.timer = delay === null ? null : setTimeout(tick, delay).unref();
    };
    const tick = () => {
      this.running = this.sync(supervisor).finally(() => {
        if (this.timer !== null) schedule();
      });
    };
    schedule();
  }

  // Whether the last pass left certificates HAProxy could not check (a check that timed out, killed).
  private waitingForCheck(): boolean {
    return this.plan.skipped.some((entry) => entry.reason.startsWith(UNCHECKED_REASON));
  }

  // Stop polling and wait for a pass in flight.
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closing.abort();
    await this.running;
  }

  // The state for /healthz, /metrics and /config.
  snapshot(): CertificateSnapshot {
    return {
      ...describeCertificates(this.plan, this.sourceProblem, this.now(), this.loadedDefault()),
      ...this.updates.snapshot(),
    };
  }

  // The default certificate HAProxy loads, described unchecked; parsed again only when it changed.
  private loadedDefault(): ReturnType<typeof describeLeaf> {
    const loaded = this.loaded.get(this.options.ssl.certPath);
    if (loaded === undefined) return null;
    if (this.describedDefault?.digest !== loaded.digest)
      this.describedDefault = { digest: loaded.digest, leaf: describeLeaf(loaded.pem) };
    return this.describedDefault.leaf;
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
        await this.sweep();
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
      await this.sweep();
    } catch (error) {
      this.updates.failed(`certificate pass failed: ${String(error)}`);
    }
  }

  // Remove the files the crt-list no longer names once no check can still be loading them.
  private async sweep(): Promise<void> {
    const keep = new Set(this.loaded.keys());
    const removal = { graceMs: STALE_FILE_GRACE_MS, staleSince: this.staleSince, now: performance.now() };
    await removeStaleCertificateFiles(this.options.paths.dir, keep, removal);
  }

  // Read the sources (a metadata failure keeps the last answer) and plan; logs what changed.
  private async desired(): Promise<Files> {
    const { ssl, client, logger, paths } = this.options;
    // Until metadata answers, a reloader started again falls back to the answer the last one read.
    this.metadata ??= await this.lastAnswer.recall();
    const read = await readCertificateSources(client, ssl, this.metadata, this.closing.signal);
    // Closed during the read (a stop): no planning, no HAProxy check, no log lines; nothing changes.
    if (this.closing.signal.aborted) return this.loaded;
    if (read.problem === null && read.metadata !== null)
      await this.lastAnswer
        .remember(read.metadata)
        .catch((error: unknown) =>
          logger.warn(
            { event: "certs.last-metadata-unwritten", err: String(error) },
            "cannot keep the metadata certificates for a restart",
          ),
        );
    this.metadata = read.metadata;
    this.sourceProblem = read.problem;
    const plan = planCertificates({
      metadata: read.metadata,
      directory: read.directory,
      base64Encoded: ssl.base64Encoded,
      manageDefault: this.options.manageDefault,
      defaultFile: read.defaultFile,
      now: this.now(),
      servedDefault: this.loaded.get(ssl.certPath)?.pem ?? null,
      check: this.checks.check,
    });
    this.checks.endPass();
    const verified = this.options.verifier ? await this.options.verifier.verify(plan) : plan;
    // A served certificate whose source is there but now refused stays served (keep-previous-certificates.ts).
    const served = this.plan.certs;
    const present = presentCertificateLabels(read.directory, served);
    this.plan = keepPreviousCertificates(verified, served, present, this.now());
    const { served: shown, warnings } = this.snapshot();
    const expiring = shown.filter((cert) => cert.daysLeft < EXPIRY_WARNING_DAYS).map((cert) => cert.name);
    const key = reportKey(this.plan, this.sourceProblem, expiring);
    if (key !== this.reported) reportCertificates(logger, this.plan, this.sourceProblem, warnings);
    this.reported = key;
    return desiredCertificateFiles(this.plan, this.loaded, ssl.certPath, paths.dir);
  }

  // The fallback: a reload loads the files already written; a failed one is tried again next pass.
  // HAProxy not running (down between restarts, or its master exited during the reload): its restart
  // loads the files already written, so nothing is due (before, each pass logged a failure until then).
  private async reload(supervisor: CertificateSupervisor, names: LoggedNames): Promise<void> {
    const verdict = await supervisor.reload("certificates");
    const restartLoads = !verdict.ok && verdict.kind === "exited";
    this.reloadPending = !verdict.ok && !restartLoads;
    if (verdict.ok) this.updates.updated("reload", names);
    else if (restartLoads)
      this.options.logger.warn(
        { event: "certs.reload-deferred", reason: verdict.reason, ...names },
        `HAProxy is not running (${verdict.reason}): its restart loads the certificates`,
      );
    else this.updates.failed(`the reload for the certificates failed: ${verdict.reason}`);
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
