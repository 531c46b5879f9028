// Service, stack, host and network objects with every field a real one has (shapes copied from the
// 2015-12-19 recording), keys in Go order so the stand-in serves them without re-sorting.
import { deterministicUuid } from "./deterministic-uuid.js";
import type { HostSpec } from "./tree-spec.js";
import type { Container, Host, Network, Service, Stack } from "./types.js";

// A service object (one per launch config) embedding its containers.
export function makeService(p: {
  name: string;
  uuid: string;
  primaryName: string;
  stackName: string;
  stackUuid: string;
  environmentUuid: string;
  index: number;
  labels: Record<string, string>;
  metadata: Record<string, unknown>;
  containers: Container[];
  health: Record<string, unknown> | null;
  ports: string[];
  sidekicks: string[];
  token: string;
}): Service {
  return {
    containers: p.containers,
    create_index: p.index + 1,
    environment_uuid: p.environmentUuid,
    expose: [],
    external_ips: [],
    fqdn: null,
    health_check: p.health,
    hostname: null,
    kind: "service",
    labels: p.labels,
    lb_config: null,
    links: null,
    metadata: p.metadata,
    metadata_kind: "service",
    name: p.name,
    ports: p.ports,
    primary_service_name: p.primaryName,
    scale: p.containers.length,
    sidekicks: p.sidekicks,
    stack_name: p.stackName,
    stack_uuid: p.stackUuid,
    state: "active",
    system: false,
    token: p.token,
    uuid: p.uuid,
    vip: null,
  };
}

// A stack object embedding its services.
export function makeStack(name: string, uuid: string, environmentUuid: string, services: Service[]): Stack {
  return {
    environment_name: "Default",
    environment_uuid: environmentUuid,
    metadata_kind: "stack",
    name,
    services,
    system: false,
    uuid,
  };
}

// A host object as /hosts lists it (hostId is the 1-based index).
export function makeHost(p: HostSpec, hostId: number, environmentUuid: string): Host {
  return {
    agent_ip: p.agentIp,
    agent_state: "active",
    environment_uuid: environmentUuid,
    hostId,
    hostname: p.name,
    labels: {
      "io.rancher.host.docker_version": "1.12",
      "io.rancher.host.linux_kernel_version": "4.4",
      "io.rancher.host.os": "linux",
      ...p.labels,
    },
    local_storage_mb: 40187,
    memory: 4135550976,
    metadata_kind: "host",
    milli_cpu: 2000,
    name: p.name,
    state: "active",
    uuid: p.uuid ?? deterministicUuid("host", p.name),
  };
}

// The managed ipsec network every container is on.
export function makeNetwork(uuid: string, environmentUuid: string): Network {
  return {
    default_policy_action: "allow",
    environment_uuid: environmentUuid,
    host_ports: true,
    is_default: true,
    metadata: {},
    metadata_kind: "network",
    name: "ipsec",
    policy: null,
    uuid,
  };
}
