// A metadata tree from running backends: each routed container's primary_ip and map-public-http port are
// a real backend's address, so what generate-maps routes can be reached. Scale, health and aliases are
// edits of this small description (rebuilt trees keep their uuids: they derive from the names).
import { buildTree } from "../metadata/build-tree.js";
import { containerUuid } from "../metadata/deterministic-uuid.js";
import type { ContainerSpec, StackSpec } from "../metadata/tree-spec.js";
import type { Tree } from "../metadata/types.js";

// One container: the backend it is (its name becomes the container name) and what differs from healthy.
export interface WorldContainer {
  backend: { name: string; host: string; port: number };
  /** health_state (default null: no health check) */
  health?: string | null;
  /** state (default running) */
  state?: string;
  /** the map-public-http label's value (default: the backend's port); null leaves the label out */
  port?: string | null;
  /** more labels, e.g. { "send-proxy": "send-proxy-v2" } */
  labels?: Record<string, string>;
  /** the service it belongs to (default "web") */
  service?: string;
  /** the name of the container of the same stack whose network it shares (`net: container:…`): it then
   * has no primary_ip of its own, as in Rancher 1.2+; its backend listens on the owner's address */
  networkFrom?: string;
}

// Stacks (services in order of first appearance, `web` by default; containers in order) and the proxy
// service's aliases.
export interface World {
  stacks: Readonly<Record<string, readonly WorldContainer[]>>;
  /** stack → alias names, as `metadata: aliases:` in rancher-compose.yml */
  aliases?: Readonly<Record<string, readonly string[]>>;
  /** the proxy's own metadata besides aliases (ssl_cert, ssl_key) */
  metadata?: Readonly<Record<string, unknown>>;
}

// The 2015-12-19 tree of the world, with the proxy's own stack (lb: HTTP + HTTP-generate-maps, whose
// container is 127.0.0.1, so a client on 127.0.0.1 reads the aliases as its /self/service/metadata).
export function worldTree(world: World): Tree {
  const stacks: StackSpec[] = Object.entries(world.stacks).map(([name, containers]) => {
    const serviceOf = (c: WorldContainer) => c.service ?? "web";
    // The builder's own uuid for a container (containerUuid, as buildTree gives it when none is given).
    const uuidOf = (containerName: string) => {
      const owner = containers.find((c) => c.backend.name === containerName);
      if (!owner) throw new Error(`networkFrom ${containerName}: no such container in stack ${name}`);
      return containerUuid(name, serviceOf(owner), containerName);
    };
    return {
      name,
      services: [...new Set(containers.map(serviceOf))].map((service) => ({
        name: service,
        containers: containers
          .filter((c) => serviceOf(c) === service)
          .map((c) => containerSpec(c, c.networkFrom === undefined ? undefined : uuidOf(c.networkFrom))),
      })),
    };
  });
  const metadata = { ...world.metadata, ...(world.aliases ? { aliases: world.aliases } : {}) };
  return buildTree({ domainSelf: { metadata: structuredClone(metadata) }, stacks });
}

function containerSpec(container: WorldContainer, networkFrom: string | undefined): ContainerSpec {
  const port = container.port === undefined ? String(container.backend.port) : container.port;
  return {
    name: container.backend.name,
    ip: networkFrom === undefined ? container.backend.host : null,
    state: container.state ?? "running",
    health: container.health ?? null,
    labels: { ...(port === null ? {} : { "map-public-http": port }), ...container.labels },
    ...(networkFrom === undefined ? {} : { networkFrom }),
  };
}
