// Apply a certificate change on the supervisor's lock (never during a reload): write the changed PEMs
// and the crt-list first, so any reload or restart loads the same state, then send the runtime-API
// commands to the current worker. Says when the caller must fall back to a reload.
import type { Verdict } from "../haproxy/confirm-reload.js";
import type { ReloadReason } from "../model/plan-update.js";
import {
  MAX_RUNTIME_COMMANDS,
  planCertificateCommands,
  type CertificateChanges,
  type CertificateFiles,
} from "./model/plan-certificate-commands.js";
import { writeCertificateFiles } from "./output/write-certificate-files.js";
import { renderCrtList, type CertificatePaths } from "./render/render-crt-list.js";
import { sendCertificateCommands } from "./runtime/send-certificate-commands.js";

// The supervisor's part the certificates use (HaproxySupervisor).
export interface CertificateSupervisor {
  isRunning(): boolean;
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** counted in reloader_reloads_total and, by `reason`, reloader_reloads_by_reason_total */
  reload(reason: ReloadReason): Promise<Verdict>;
  /** asked before the reload fallback, which loads `current` outside the applier's passes */
  beforeLoad?(): Promise<void>;
  /** a stop of HAProxy began (HaproxySupervisor.isStopping): no runtime-API command goes out */
  isStopping?(): boolean;
}

// What to apply: the change, the full desired set, what HAProxy has loaded, and where files go.
export interface CertificateApply {
  changes: CertificateChanges;
  desired: CertificateFiles;
  loaded: CertificateFiles;
  paths: CertificatePaths;
  /** the default certificate's file: written, never listed in the crt-list */
  defaultPath: string;
  masterSocket: string;
  /** an earlier reload failed: HAProxy's state is not `loaded`, so only a reload can apply this */
  reloadPending: boolean;
}

// Applied live ("runtime"), only written because HAProxy is down or being stopped ("files"), or a reload
// is needed.
export type CertificateApplyOutcome = { mode: "runtime" | "files" } | { mode: "reload"; reason: string };

// Write, then tell HAProxy; throws only when a file cannot be written. Once a stop of HAProxy began the
// files are only written (the next start loads them): until 2026-12-06 a pass that waited for the lock
// behind one that outlasted the stop's wait sent its commands to the soft-stopped worker.
export function applyCertificateChanges(
  supervisor: CertificateSupervisor,
  apply: CertificateApply,
): Promise<CertificateApplyOutcome> {
  const { changes, desired, loaded, paths } = apply;
  return supervisor.exclusive(async (): Promise<CertificateApplyOutcome> => {
    await writeCertificateSet(desired, loaded, paths, apply.defaultPath);
    // Asked after the writes, right before the first command: the stop's SIGUSR1 is not on the lock.
    if (!supervisor.isRunning() || supervisor.isStopping?.() === true) return { mode: "files" };
    if (apply.reloadPending)
      return { mode: "reload", reason: "an earlier reload for the certificates failed" };
    const commands = planCertificateCommands(changes, desired, paths.crtList);
    if (commands === null)
      return { mode: "reload", reason: "a certificate is too large for a runtime-API payload" };
    if (commands.length > MAX_RUNTIME_COMMANDS)
      return { mode: "reload", reason: `${commands.length} runtime-API commands: a reload is quicker` };
    const sent = await sendCertificateCommands(apply.masterSocket, commands);
    return sent.ok ? { mode: "runtime" } : { mode: "reload", reason: sent.reason };
  });
}

// Write the PEMs that differ from `loaded`, then the crt-list of every file but the default one.
export async function writeCertificateSet(
  desired: CertificateFiles,
  loaded: CertificateFiles,
  paths: CertificatePaths,
  defaultPath: string,
): Promise<void> {
  const pems = new Map<string, string>();
  for (const [path, cert] of desired) if (loaded.get(path)?.digest !== cert.digest) pems.set(path, cert.pem);
  const listed = [...desired.keys()].filter((path) => path !== defaultPath);
  await writeCertificateFiles(paths.dir, pems, { path: paths.crtList, text: renderCrtList(listed) });
}
