// What the verdict of a reload for the certificates (the fallback when the runtime API cannot apply them)
// means, and its log line. HAProxy not running (down between restarts, or its master exited during the
// reload): its restart loads the files already written, so nothing is due (before, each pass logged a
// failure until then). Any other failure is tried again by the next pass.
import type { Logger } from "@rancher-haproxy/core";
import type { Verdict } from "../haproxy/confirm-reload.js";
import type { CertificateUpdates } from "./certificate-updates.js";
import type { LoggedNames } from "./logged-names.js";

// Reports `verdict` for the changed files `names` (certs.updated, certs.reload-deferred or
// certs.update-failed); true when a reload is still due. One a stop of HAProxy refused (not sent, logged
// by the supervisor as reload.skipped-stopping) is no failure and none is due: the next start loads them.
export function reportCertificateReload(
  verdict: Verdict,
  names: LoggedNames,
  updates: CertificateUpdates,
  logger: Logger,
): boolean {
  if (!verdict.ok && verdict.kind === "stopping") return false;
  const restartLoads = !verdict.ok && verdict.kind === "exited";
  if (verdict.ok) updates.updated("reload", names);
  else if (restartLoads)
    logger.warn(
      { event: "certs.reload-deferred", reason: verdict.reason, ...names },
      `HAProxy is not running (${verdict.reason}): its restart loads the certificates`,
    );
  else updates.failed(`the reload for the certificates failed: ${verdict.reason}`);
  return !verdict.ok && !restartLoads;
}
