// The compact spec buildTree() turns into a realistic tree.

// One container; ip defaults to a unique 127.1.x.y address, `port` becomes its map-public-http label.
export interface ContainerSpec {
  ip?: string | null;
  port?: number | string;
  state?: string;
  health?: string | null;
  labels?: Record<string, string>;
  name?: string;
  uuid?: string;
  host?: string;
  ports?: string[];
  /** the uuid of the container whose network it shares (`net: container:…`): then give it `ip: null`,
   * as Rancher 1.2+ does */
  networkFrom?: string;
}

// One service; its labels (and `port` as map-public-http) also go on each of its containers.
export interface ServiceSpec {
  name: string;
  uuid?: string;
  port?: number | string;
  labels?: Record<string, string>;
  metadata?: Record<string, unknown>;
  containers: ContainerSpec[];
}

// One stack of services.
export interface StackSpec {
  name: string;
  uuid?: string;
  services: ServiceSpec[];
}

// One Rancher host (default: rancher-host-1 with agent_ip 127.0.0.250, where nothing listens).
export interface HostSpec {
  name: string;
  agentIp: string;
  uuid?: string;
  labels?: Record<string, string>;
}

// The proxy's own stack: service HTTP (container lbIp) with sidekick HTTP-generate-maps (container `ip`,
// default 127.0.0.1), both services carrying `metadata` (aliases, ssl_cert, ssl_key).
export interface DomainSelfSpec {
  ip?: string;
  lbIp?: string | null;
  metadata?: Record<string, unknown>;
  stackName?: string;
  serviceName?: string;
  sidekickName?: string;
  host?: string;
}

// A whole environment; `domainSelf: false` leaves out the proxy's own stack.
export interface TreeSpec {
  environment?: { name?: string; uuid?: string };
  hosts?: HostSpec[];
  domainSelf?: DomainSelfSpec | false;
  stacks?: StackSpec[];
  standalone?: ContainerSpec[];
}
