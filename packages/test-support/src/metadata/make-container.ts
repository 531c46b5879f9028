// Container objects with every field a real one has (shape copied from the 2015-12-19 recording), keys in
// Go order so the stand-in serves them without re-sorting.
import { macForIp } from "./deterministic-uuid.js";
import type { Container } from "./types.js";

// What a generated container is made of.
export interface ContainerParts {
  name: string;
  uuid: string;
  ip: string | null;
  state: string;
  health: string | null;
  healthPort: number;
  labels: Record<string, string>;
  ports: string[];
  hostUuid: string;
  environmentUuid: string;
  networkUuid: string;
  index: number;
  stackName: string | null;
  stackUuid: string | null;
  serviceName: string | null;
  serviceUuid: string | null;
  stackDomains: string[];
  networkFrom?: string | null;
}

// The labels Rancher puts on a service's containers: stack, service, deployment unit, launch config
// (a sidekick container names its own launch config, a primary one the primary launch config).
export function systemLabels(
  stack: string,
  primary: string,
  launchConfig: string,
  deploymentUnit: string,
): Record<string, string> {
  return {
    "io.rancher.project.name": stack,
    "io.rancher.project_service.name": `${stack}/${primary}`,
    "io.rancher.service.deployment.unit": deploymentUnit,
    "io.rancher.service.launch.config":
      launchConfig === primary ? "io.rancher.service.primary.launch.config" : launchConfig,
    "io.rancher.stack.name": stack,
    "io.rancher.stack_service.name": `${stack}/${primary}`,
  };
}

// The health_check object Rancher gives a service with an HTTP health check.
export function healthCheck(port: number): Record<string, unknown> {
  return {
    healthy_threshold: 2,
    interval: 2000,
    port,
    request_line: null,
    response_timeout: 2000,
    unhealthy_threshold: 3,
  };
}

// A container object as /containers lists it.
export function makeContainer(p: ContainerParts): Container {
  const hasService = p.serviceUuid !== null;
  const container: Container = {
    create_index: hasService ? p.index + 1 : null,
    dns: ["169.254.169.250"],
    dns_search: [...p.stackDomains, "rancher.internal"],
    environment_uuid: p.environmentUuid,
    external_id: p.state === "starting" ? null : p.uuid.replace(/-/g, "").repeat(2),
    health_check: p.health === null ? null : healthCheck(p.healthPort),
    health_check_hosts: p.health === null ? [] : [p.hostUuid],
    health_state: p.health,
    host_uuid: p.hostUuid,
    hostname: null,
    ips: p.ip === null ? [] : [p.ip],
    labels: p.labels,
    links: null,
    memory_reservation: null,
    metadata_kind: "container",
    milli_cpu_reservation: null,
    name: p.name,
    network_from_container_uuid: p.networkFrom ?? null,
    network_uuid: p.networkUuid,
    ports: p.ports,
    primary_ip: p.ip,
    primary_mac_address: macForIp(p.ip),
    service_index: hasService ? String(p.index + 1) : null,
    service_name: p.serviceName,
  };
  if (hasService) container.service_uuid = p.serviceUuid;
  Object.assign(container, { stack_name: p.stackName, stack_uuid: p.stackUuid });
  return Object.assign(container, {
    start_count: p.state === "starting" ? 0 : 1,
    state: p.state,
    system: false,
    uuid: p.uuid,
  });
}
