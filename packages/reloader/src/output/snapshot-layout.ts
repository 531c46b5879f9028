// Names inside the state dir (private, 0700): gen-<n>/ snapshots, the `current` symlink, the master and
// admin sockets, the base config and TLS PEM HAProxy loads, and the lock that makes the dir one reloader's.
import { join } from "node:path";

// File names inside a snapshot: HAProxy loads base then backends; the base reads domain.map and
// path-hosts.map beside it.
export const SNAPSHOT_BASE = "haproxy.cfg";
export const SNAPSHOT_BACKENDS = "backends.cfg";
export const SNAPSHOT_MAP = "domain.map";
/** the markers of the hosts with path keys (render-path-hosts-map.ts; PATH_HOSTS_MAP_NAME) */
export const SNAPSHOT_PATH_HOSTS = "path-hosts.map";
/** the container → server slot assignment the snapshot's backends.cfg was rendered with */
export const SNAPSHOT_SLOTS = "slots.json";
/** verbatim copies of the two shared files the snapshot was rendered from */
export const SNAPSHOT_INPUTS = "inputs";
export const INPUT_BACKENDS = "haproxy-backends.cfg";
export const INPUT_MAP = "domain.map";

// Paths of one state dir.
export interface StateLayout {
  dir: string;
  current: string;
  /** while a switch's reload has no verdict yet: the snapshot the workers ran before `current` moved,
   * for a reloader started after a kill then (kept-link.ts) */
  kept: string;
  /** `<master pid> <reloads>`: the master's reload count before the last reload sent while `kept` is
   * left; one counted since then went live (kept-link.ts) */
  keptReloads: string;
  masterSocket: string;
  adminSocket: string;
  pidFile: string;
  /** the base config every snapshot copies: rendered, or the user's --config read at start */
  baseConfig: string;
  /** the combined PEM built from metadata (the default HAPROXY_SSL_CERT) */
  certificate: string;
  /** `<pid> <start time>` of the reloader that owns the dir */
  lockFile: string;
  /** the FIFO HAProxy's stdout goes to, read by whichever reloader runs (haproxy/stdout-fifo.ts) */
  stdoutFifo: string;
}

// The fixed paths of a state dir.
export function stateLayout(stateDir: string): StateLayout {
  return {
    dir: stateDir,
    current: join(stateDir, "current"),
    kept: join(stateDir, "kept"),
    keptReloads: join(stateDir, "kept.reloads"),
    masterSocket: join(stateDir, "master.sock"),
    adminSocket: join(stateDir, "admin.sock"),
    pidFile: join(stateDir, "haproxy.pid"),
    baseConfig: join(stateDir, "haproxy.cfg"),
    certificate: join(stateDir, "server.pem"),
    lockFile: join(stateDir, "reloader.lock"),
    stdoutFifo: join(stateDir, "haproxy.stdout"),
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
