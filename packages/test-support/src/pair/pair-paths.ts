// Where a pair keeps its files: the shared volume (etc/, like /usr/local/etc/haproxy) and the reloader's state.
import { join } from "node:path";

// The files of a pair rooted at `dir`.
export interface PairPaths {
  etcDir: string;
  domainMap: string;
  backends: string;
  haproxyConfig: string;
  stateDir: string;
}

// The same names as the image's defaults, under `dir`.
export function pairPaths(dir: string): PairPaths {
  const etcDir = join(dir, "etc");
  return {
    etcDir,
    domainMap: join(etcDir, "domain.map"),
    backends: join(etcDir, "haproxy-backends.cfg"),
    haproxyConfig: join(etcDir, "haproxy.cfg"),
    stateDir: join(dir, "state"),
  };
}
