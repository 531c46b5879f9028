// What the certificate manager's log lines (certs.updated, certs.reload-deferred) say of the changed
// files: a bounded list of names per kind and the whole counts.
import type { CertificateChanges } from "./model/plan-certificate-commands.js";

/** certs.updated and certs.reload-deferred name this many files of each kind (the counts are whole) */
const LOGGED_FILES = 20;

/** the changed files as a log line carries them (`retried`: a failed reload tried again) */
export type LoggedNames = Record<string, string[] | number>;

// The first LOGGED_FILES file names of each kind and the counts: every name made a line of 100 KB when
// 1 000 certificates came at once.
export function loggedNames(changes: CertificateChanges): LoggedNames {
  const first = (paths: string[]) => paths.slice(0, LOGGED_FILES).map(label);
  return {
    added: first(changes.added),
    changed: first(changes.changed),
    removed: first(changes.removed),
    addedCount: changes.added.length,
    changedCount: changes.changed.length,
    removedCount: changes.removed.length,
  };
}

// A file's name for logs (never its content).
function label(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
