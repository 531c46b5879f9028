// backends.cfg and domain.map text for tests that play generate-maps' part, rendered by the shared-file
// contract (@rancher-haproxy/core), so they are the bytes generate-maps would write.
import { renderBackends, renderDomainMap, type SharedServer } from "@rancher-haproxy/core";

// One backend: a stack name (or tcp_<port> with mode "tcp") and its servers (host:port, optional
// send-proxy variant).
export interface TestBackend {
  name: string;
  mode?: "tcp";
  servers: { name?: string; address: string; sendProxy?: "send-proxy" | "send-proxy-v2" }[];
}

// The backends file for these stacks (servers named s1, s2… unless named), with `extraLines` (comments,
// or hostile lines for a fault test) right after the header line.
export function renderTestBackends(
  backends: readonly TestBackend[],
  extraLines: readonly string[] = [],
): string {
  const text = renderBackends({
    backends: backends.map((backend) => ({
      name: backend.name,
      ...(backend.mode === undefined ? {} : { mode: backend.mode }),
      servers: backend.servers.map((server, index): SharedServer => {
        const colon = server.address.lastIndexOf(":");
        return {
          name: server.name ?? `s${index + 1}`,
          address: server.address.slice(0, colon),
          port: Number(server.address.slice(colon + 1)),
          ...(server.sendProxy === undefined ? {} : { proxy: server.sendProxy }),
        };
      }),
    })),
  });
  const header = text.indexOf("\n") + 1;
  return text.slice(0, header) + extraLines.map((line) => `${line}\n`).join("") + text.slice(header);
}

// The map file: `<fqdn> <backend>` lines sorted by fqdn (empty text when there is nothing to route).
export function renderTestMap(entries: Readonly<Record<string, string>>): string {
  return renderDomainMap({ hosts: Object.entries(entries).map(([fqdn, backend]) => ({ fqdn, backend })) });
}
