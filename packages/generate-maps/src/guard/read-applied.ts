// What the files on disk route, read as the removal guard's baseline until it has one (removal-guard.ts).
import { readRegularFile, type Logger } from "@rancher-haproxy/core";
import { GUARD_BASELINE_MAX_BYTES, readMapAliasKeys } from "./read-map-alias-keys.js";
import { parseServerKeys } from "./server-keys.js";

// Where the files are, and the domain of the stacks' own host names.
export interface GuardedFiles {
  backendsPath: string;
  domainMapPath: string;
  domain: string;
}

// The aliases of the map on disk; null when there is no map or it cannot be read (then the aliases are
// guarded from the first map this process writes or finds equal).
export async function readAppliedAliases(
  files: GuardedFiles,
  logger: Logger,
): Promise<ReadonlyMap<string, string> | null> {
  const found = await readMapAliasKeys(files.domainMapPath, files.domain);
  if (found.kind === "refused") logUnread(logger, files.domainMapPath, found.reason);
  return found.kind === "keys" ? found.keys : null;
}

// The servers of the backends file on disk; null when it does not exist or is refused (it is replaced);
// undefined (read again next cycle) when it cannot be read, since the write will fail anyway.
export async function readAppliedServers(
  path: string,
  logger: Logger,
): Promise<ReadonlySet<string> | null | undefined> {
  try {
    const found = await readRegularFile(path, GUARD_BASELINE_MAX_BYTES);
    if (found.kind === "refused") logUnread(logger, path, found.reason);
    return found.kind === "file" ? parseServerKeys(found.content) : null;
  } catch {
    return undefined;
  }
}

// A file on disk the guard could not take as its baseline: what it routes is not protected this time.
function logUnread(logger: Logger, path: string, reason: string): void {
  logger.warn(
    { event: "guard.baseline-unread", path, reason },
    `the removal guard does not read ${path} (${reason}): what it routes is not protected from a mass removal`,
  );
}
