// The bookkeeping of buildTree(): ids, hosts, and the containers/services/stacks lists being filled.
import { containerUuid, deterministicUuid } from "./deterministic-uuid.js";
import { makeContainer, systemLabels } from "./make-container.js";
import { makeHost, makeNetwork, makeService } from "./make-objects.js";
import type { ContainerSpec, ServiceSpec, TreeSpec } from "./tree-spec.js";
import type { Container, Host, Network, Service, Stack, Tree } from "./types.js";

const MAP_LABEL = "map-public-http";

// The stack and service a container belongs to (all null for a standalone container).
interface Owner {
  stack: string | null;
  stackUuid: string | null;
  service: string | null;
  serviceUuid: string | null;
  domains: string[];
}

// Accumulates one environment's objects; containers are shared by `containers` and their service.
export class TreeBuilder {
  readonly containers: Container[] = [];
  readonly services: Service[] = [];
  readonly stacks: Stack[] = [];
  readonly hosts: Host[];
  readonly env: string;
  private readonly envName: string;
  private readonly network: Network;
  private counter = 0;

  constructor(spec: TreeSpec) {
    this.envName = spec.environment?.name ?? "default";
    this.env = spec.environment?.uuid ?? deterministicUuid("environment", this.envName);
    this.network = makeNetwork(deterministicUuid("network", this.envName), this.env);
    const hostSpecs = spec.hosts ?? [{ name: "rancher-host-1", agentIp: "127.0.0.250" }];
    this.hosts = hostSpecs.map((h, i) => makeHost(h, i + 1, this.env));
  }

  // The named host, or the next one round-robin.
  hostFor(name: string | undefined): Host {
    const host =
      name === undefined
        ? this.hosts[this.counter % this.hosts.length]
        : this.hosts.find((h) => h.name === name);
    if (host === undefined) throw new Error(`buildTree: no host ${name ?? "at all"}`);
    return host;
  }

  // Adds a service (a sidekick when `primary` names another launch config) and its containers.
  addService(
    stack: string,
    stackUuid: string,
    s: ServiceSpec,
    index: number,
    primary = s.name,
    uuid?: string,
  ): Service {
    const serviceUuid = uuid ?? s.uuid ?? deterministicUuid("service", stack, s.name);
    const serviceLabels =
      s.port === undefined ? { ...s.labels } : { ...s.labels, [MAP_LABEL]: String(s.port) };
    const sidekick = primary !== s.name;
    const domains = [`${stack}.rancher.internal`, `${s.name}.${stack}.rancher.internal`];
    const owner: Owner = { stack, stackUuid, service: s.name, serviceUuid, domains };
    const own = s.containers.map((c, i) => {
      const name = c.name ?? `${stack}-${sidekick ? `${primary}-` : ""}${s.name}-${i + 1}`;
      const unit = deterministicUuid("deployment", stack, primary, i);
      const labels = { ...systemLabels(stack, primary, s.name, unit), ...serviceLabels, ...c.labels };
      if (c.port !== undefined) labels[MAP_LABEL] = String(c.port);
      return this.container(c, name, labels, i, owner, s.port);
    });
    this.containers.push(...own);
    const checked = own.find((c) => c.health_check !== null);
    const service = makeService({
      name: s.name,
      uuid: serviceUuid,
      primaryName: primary,
      stackName: stack,
      stackUuid,
      environmentUuid: this.env,
      index,
      labels: serviceLabels,
      metadata: s.metadata ?? {},
      containers: own,
      health: (checked?.health_check as Record<string, unknown> | undefined) ?? null,
      ports: [],
      sidekicks: [],
      token: deterministicUuid("token", stack, primary).replace(/-/g, ""),
    });
    this.services.push(service);
    return service;
  }

  // Adds a container outside any service or stack (like a `docker run` on a Rancher host).
  addStandalone(c: ContainerSpec): Container {
    const none: Owner = { stack: null, stackUuid: null, service: null, serviceUuid: null, domains: [] };
    const name = c.name ?? `standalone-${this.counter + 1}`;
    const container = this.container(c, name, { ...c.labels }, 0, none, undefined);
    this.containers.push(container);
    return container;
  }

  // The finished tree; its defaultHost is the first host (what the default answers give as self.host).
  tree(): Tree {
    const first = this.hosts[0];
    const defaultHost =
      first === undefined ? null : Object.fromEntries(Object.entries(first).filter(([k]) => k !== "hostId"));
    return {
      containers: this.containers,
      defaultHost,
      hosts: this.hosts,
      name: this.envName,
      networks: [this.network],
      region_name: null,
      services: this.services,
      stacks: this.stacks,
      uuid: this.env,
    };
  }

  private container(
    c: ContainerSpec,
    name: string,
    labels: Record<string, string>,
    index: number,
    owner: Owner,
    servicePort: number | string | undefined,
  ): Container {
    const host = this.hostFor(c.host);
    const n = this.counter++;
    return makeContainer({
      name,
      uuid: c.uuid ?? containerUuid(owner.stack ?? "", owner.service ?? "", name),
      ip: c.ip === undefined ? `127.${1 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}` : c.ip,
      state: c.state ?? "running",
      health: c.health ?? null,
      healthPort: Number(c.port ?? servicePort ?? 80),
      labels,
      ports: c.ports ?? [],
      hostUuid: host.uuid as string,
      environmentUuid: this.env,
      networkUuid: this.network.uuid as string,
      index,
      stackName: owner.stack,
      stackUuid: owner.stackUuid,
      serviceName: owner.service,
      serviceUuid: owner.serviceUuid,
      stackDomains: owner.domains,
      networkFrom: c.networkFrom ?? null,
    });
  }
}
