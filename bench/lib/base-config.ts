// Our rendered base config (the reloader's own pure renderer, product defaults) for parts that run
// HAProxy directly: same text the reloader would write for these ports.
import { renderBaseConfig } from "@rancher-haproxy/reloader";

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
