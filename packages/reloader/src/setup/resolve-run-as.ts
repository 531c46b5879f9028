// Whom HAProxy's workers run as: started as root, HAProxy binds its ports, then the workers (all traffic)
// drop to the Debian `haproxy` user and group. The master stays root: it re-reads the private config and
// PEM and re-binds on every reload. Not root: nothing to drop.
import { readFileSync } from "node:fs";
import type { Logger } from "@rancher-haproxy/core";

// The account the workers switch to (`user` / `group` in the global section).
export interface RunAs {
  user: string;
  group: string;
}

// The name the Debian haproxy package (and the image) creates for both the user and the group.
export const HAPROXY_ACCOUNT = "haproxy";

// RunAs when running as root and the account exists; null otherwise (a missing account is logged).
export function resolveRunAs(logger: Logger, uid = process.getuid?.() ?? -1): RunAs | null {
  if (uid !== 0) return null;
  const user = hasEntry("/etc/passwd", HAPROXY_ACCOUNT);
  const group = hasEntry("/etc/group", HAPROXY_ACCOUNT);
  if (user && group) return { user: HAPROXY_ACCOUNT, group: HAPROXY_ACCOUNT };
  logger.warn(
    { event: "haproxy.runs-as-root", user, group },
    `running as root without a "${HAPROXY_ACCOUNT}" user and group: HAProxy's workers keep root ` +
      "(create them, as the Debian haproxy package does, to let the workers drop it)",
  );
  return null;
}

function hasEntry(file: string, name: string): boolean {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .some((line) => line.startsWith(`${name}:`));
  } catch {
    return false;
  }
}
