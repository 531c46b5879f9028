// Names inside the state dir: gen-<n>/ snapshots, the `current` symlink, the master and admin sockets.
import { join } from "node:path";

// File names inside a snapshot: HAProxy loads base then backends; the base reads domain.map beside it.
export const SNAPSHOT_BASE = "haproxy.cfg";
export const SNAPSHOT_BACKENDS = "backends.cfg";
export const SNAPSHOT_MAP = "domain.map";

// Paths of one state dir.
export interface StateLayout {
  dir: string;
  current: string;
  masterSocket: string;
  adminSocket: string;
  pidFile: string;
}

// The fixed paths of a state dir.
export function stateLayout(stateDir: string): StateLayout {
  return {
    dir: stateDir,
    current: join(stateDir, "current"),
    masterSocket: join(stateDir, "master.sock"),
    adminSocket: join(stateDir, "admin.sock"),
    pidFile: join(stateDir, "haproxy.pid"),
  };
}

// The directory name of generation n.
export function generationName(generation: number): string {
  return `gen-${generation}`;
}

// The generation number of a directory name, or null when it is not gen-<n>.
export function parseGenerationName(name: string): number | null {
  const match = /^gen-(\d+)$/.exec(name);
  return match ? Number(match[1]) : null;
}

// The two -f files of a snapshot dir (or of `current`, which HAProxy is always started with).
export function configFiles(snapshotDir: string): [string, string] {
  return [join(snapshotDir, SNAPSHOT_BASE), join(snapshotDir, SNAPSHOT_BACKENDS)];
}
