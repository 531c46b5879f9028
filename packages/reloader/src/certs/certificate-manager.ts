// Keeps HAProxy's certificates equal to their sources: reads metadata (ssl_cert/ssl_key, certs) and
// SSL_CERT_DIR every pollIntervalMs, checks each certificate, writes the PEMs and the crt-list into
// <state>/certs, then applies the difference through the runtime API on the supervisor's lock (a reload
// when the API cannot: a payload too large, an unexpected answer). Never throws out of its loop.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import type { Verdict } from "../haproxy/confirm-reload.js";
import type { SslOptions } from "../options/reloader-options.js";
import { describeCertificates } from "./describe-certificates.js";
import type { CertificateSnapshot } from "./certificate-state.js";
import {
  diffCertificates,
  planCertificateCommands,
  type CertificateFiles as Files,
} from "./model/plan-certificate-commands.js";
import { planCertificates, type CertificatePlan } from "./model/plan-certificates.js";
import { removeStaleCertificateFiles, writeCertificateFiles } from "./output/write-certificate-files.js";
import { renderCrtList, type CertificatePaths } from "./render/render-crt-list.js";
import { sendCertificateCommands } from "./runtime/send-certificate-commands.js";
import { readCertDir } from "./sources/read-cert-dir.js";
import { readMetadataCerts, type MetadataCerts } from "./sources/read-metadata-certs.js";

// The supervisor's part the manager uses (HaproxySupervisor).
export interface CertificateSupervisor {
  isRunning(): boolean;
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  reload(): Promise<Verdict>;
}

// What the manager needs.
export interface CertificateManagerOptions {
  ssl: SslOptions;
  paths: CertificatePaths;
  masterSocket: string;
  client: MetadataClient;
  logger: Logger;
  /** the default certificate is built from metadata (HAPROXY_SSL_CERT unset) */
  manageDefault: boolean;
  now?: () => number;
}

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
  private readonly state: Pick<CertificateSnapshot, "updates" | "lastUpdate" | "lastError"> = {
    updates: { runtime: 0, reload: 0, failed: 0 },
    lastUpdate: null,
    lastError: null,
  };
  private readonly now: () => number;

  constructor(private readonly options: CertificateManagerOptions) {
    this.now = options.now ?? Date.now;
  }

  // Read, check and write every certificate before HAProxy starts (it loads exactly these files).
  async prepare(): Promise<void> {
    const { ssl } = this.options;
    const onDisk = await readFile(ssl.certPath, "utf8").catch(() => null);
    if (onDisk !== null) this.loaded = new Map([[ssl.certPath, { digest: digest(onDisk), pem: onDisk }]]);
    const desired = await this.desired();
    await this.writeFiles(desired);
    this.loaded = desired;
  }

  // Re-read every pollIntervalMs (0: never) and apply changes; the first pass runs right away.
  start(supervisor: CertificateSupervisor): void {
    const interval = this.options.ssl.pollIntervalMs;
    if (interval <= 0) return;
    const tick = () => {
      this.running = this.sync(supervisor).finally(() => {
        if (this.timer !== null) this.timer = setTimeout(tick, interval).unref();
      });
    };
    this.timer = setTimeout(tick, interval).unref();
  }

  // Stop polling and wait for a pass in flight.
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  // The state for /healthz, /metrics and /config.
  snapshot(): CertificateSnapshot {
    return {
      ...describeCertificates(this.plan, this.sourceProblem, this.now()),
      ...structuredClone(this.state),
    };
  }

  // One pass: read, check, and when the set changed, write the files and apply them.
  async sync(supervisor: CertificateSupervisor): Promise<void> {
    try {
      const desired = await this.desired();
      const changes = diffCertificates(this.loaded, desired);
      if (changes.added.length + changes.changed.length + changes.removed.length === 0) {
        if (this.reloadPending) await this.reload(supervisor, { retried: [] });
        return;
      }
      const commands = planCertificateCommands(changes, desired, this.options.paths.crtList);
      const { logger } = this.options;
      const names = {
        added: changes.added.map(label),
        changed: changes.changed.map(label),
        removed: changes.removed.map(label),
      };
      const runtime = await supervisor.exclusive(async () => {
        await this.writeFiles(desired);
        if (!supervisor.isRunning()) return { ok: true as const, files: true };
        if (commands === null)
          return { ok: false as const, reason: "a certificate is too large for a runtime-API payload" };
        return sendCertificateCommands(this.options.masterSocket, commands);
      });
      this.loaded = desired;
      if (runtime.ok) {
        if (!("files" in runtime)) this.updated("runtime", names);
      } else {
        logger.warn(
          { event: "certs.runtime-failed", reason: runtime.reason },
          "certificate update through the runtime API failed: reloading",
        );
        await this.reload(supervisor, names);
      }
      await removeStaleCertificateFiles(this.options.paths.dir, new Set(desired.keys()));
    } catch (error) {
      this.failed(`certificate pass failed: ${String(error)}`);
    }
  }

  // Read the sources (a metadata failure keeps the last answer) and plan; logs what changed.
  private async desired(): Promise<Files> {
    const { ssl, client, logger, paths } = this.options;
    this.sourceProblem = null;
    try {
      this.metadata = await readMetadataCerts(client);
    } catch (error) {
      this.sourceProblem = `metadata cannot be read (${String(error).slice(0, 200)}): keeping the last certificates`;
    }
    const directory = ssl.certDir === null ? null : await readCertDir(ssl.certDir);
    this.plan = planCertificates({
      metadata: this.metadata,
      directory,
      base64Encoded: ssl.base64Encoded,
      manageDefault: this.options.manageDefault,
      now: this.now(),
    });
    this.report(logger);
    const files: Map<string, { digest: string; pem: string }> = new Map();
    const kept = this.loaded.get(ssl.certPath);
    if (this.plan.default)
      files.set(ssl.certPath, { digest: this.plan.default.digest, pem: this.plan.default.pem });
    else if (kept) files.set(ssl.certPath, kept);
    for (const cert of this.plan.certs)
      files.set(`${paths.dir}/${cert.file}`, { digest: cert.digest, pem: cert.pem });
    return files;
  }

  private async writeFiles(desired: Files): Promise<void> {
    const { ssl, paths } = this.options;
    const pems = new Map(
      [...desired]
        .filter(([path, cert]) => this.loaded.get(path)?.digest !== cert.digest)
        .map(([path, cert]) => [path, cert.pem]),
    );
    const listed = [...desired.keys()].filter((path) => path !== ssl.certPath);
    await writeCertificateFiles(paths.dir, pems, { path: paths.crtList, text: renderCrtList(listed) });
  }

  // Log the served set and the skipped ones when they differ from the last report.
  private report(logger: Logger): void {
    const { plan } = this;
    const served = plan.certs.map((cert) => ({
      name: cert.name,
      names: cert.names,
      notAfter: new Date(cert.notAfter).toISOString(),
    }));
    const key = JSON.stringify([
      plan.default?.digest ?? null,
      plan.certs.map((c) => c.digest),
      plan.skipped,
      this.sourceProblem,
    ]);
    if (key === this.reported) return;
    this.reported = key;
    logger.info(
      { event: "certs.loaded", count: served.length + (plan.default ? 1 : 0), certificates: served },
      "certificates checked",
    );
    for (const skipped of plan.skipped)
      logger.warn(
        { event: "certs.skipped", name: skipped.name, reason: skipped.reason },
        "certificate skipped",
      );
    if (this.sourceProblem)
      logger.warn({ event: "certs.source-failed", reason: this.sourceProblem }, "certificate source failed");
    for (const warning of this.snapshot().warnings.filter((w) => w.includes(" expires in ")))
      logger.warn({ event: "certs.expiring", warning }, warning);
  }

  // The fallback: a reload loads the files already written; a failed one is tried again next pass.
  private async reload(supervisor: CertificateSupervisor, names: Record<string, string[]>): Promise<void> {
    const verdict = await supervisor.reload();
    this.reloadPending = !verdict.ok;
    if (verdict.ok) this.updated("reload", names);
    else this.failed(`the reload for the certificates failed: ${verdict.reason}`);
  }

  private updated(mode: "runtime" | "reload", names: Record<string, string[]>): void {
    this.state.updates[mode] += 1;
    this.state.lastUpdate = { mode, at: new Date(this.now()).toISOString() };
    this.options.logger.info({ event: "certs.updated", mode, ...names }, `certificates updated (${mode})`);
  }

  private failed(reason: string): void {
    this.state.updates.failed += 1;
    this.state.lastError = reason;
    this.options.logger.error({ event: "certs.update-failed", reason }, reason);
  }
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

// A file's name for logs (never its content).
function label(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
