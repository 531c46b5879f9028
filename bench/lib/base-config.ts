// Our rendered base config (the reloader's own pure renderer, product defaults) for parts that run
// HAProxy directly: same text the reloader would write for these ports, and the two maps it reads.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PATH_HOSTS_MAP_NAME, renderBaseConfig, renderPathHostsMapOf } from "@rancher-haproxy/reloader";

// The base haproxy.cfg listening on 127.0.0.1:<httpPort>, logging to a loopback UDP sink.
export function renderOurBaseConfig(httpPort: number, adminSocket: string): string {
  return renderBaseConfig({
    bindAddress: "127.0.0.1",
    httpPort,
    https: null,
    stats: null,
    log: { kind: "udp", host: "127.0.0.1", port: 9 },
    facility: "daemon",
    adminSocket,
    hardStopAfterMs: 30_000,
  });
}

// Write domain.map and the path-hosts.map the reloader would render from it into `dir` (beside the base).
export async function writeOurMaps(dir: string, domainMap: string): Promise<void> {
  await writeFile(join(dir, "domain.map"), domainMap);
  await writeFile(join(dir, PATH_HOSTS_MAP_NAME), renderPathHostsMapOf(domainMap));
}
