// Step 1 of the model for TCP services: a container labelled `map-public-tcp=<public port>:<container
// port>` (the label is ModelOptions.tcpLabel) becomes a candidate server of backend `tcp_<public port>`,
// or a skipped entry (route "tcp") with a reason. Same checks as HTTP past the labels. Pure and total.
import {
  isDnsLabel,
  isProxyOption,
  lowerAscii,
  parsePort,
  PROXY_OPTIONS,
  type ProxyOption,
} from "@rancher-haproxy/core";
import type { BackendNetworks } from "./check-backend-address.js";
import { checkContainer, type ContainerIdentity } from "./check-container.js";
import { containerRef } from "./container-ref.js";
import { describeValue } from "./describe-value.js";
import { misspeltName } from "./misspelt-option.js";
import { ownField } from "./own-field.js";
import type { ContainerSkipCode } from "./reasons.js";
import type { ContainerRef, ModelOptions, Server } from "./routing-table.js";

// A container that passed every check for its TCP route; ports claimed by several stacks are settled later.
export interface TcpCandidate {
  ref: ContainerRef;
  publicPort: number;
  identity: ContainerIdentity;
  server: Server;
}

// A stack's claim of a public port: the stack (lower-cased, as written, its uuid) of a labelled container,
// served or not. A stack keeps its port while a container of it claims the port, as it keeps its host.
export interface TcpClaim {
  publicPort: number;
  stack: string;
  stackName: string;
  stackUuid: string;
  /** why the claiming container does not serve: what the rival's skip and the held port's note name */
  code: ContainerSkipCode;
}

// The three ways a container can come out of the TCP step (unlabelled: no TCP label, not an error). A
// skipped container whose label names a port still claims it for its stack (`claim`).
export type TcpEvaluation =
  | { kind: "unlabelled" }
  | {
      kind: "skipped";
      skip: ContainerRef & { code: ContainerSkipCode; reason: string; route: "tcp" };
      claim?: TcpClaim;
    }
  | { kind: "candidate"; candidate: TcpCandidate };

// Most containers: one shared (frozen) answer instead of a new object per container.
const UNLABELLED: TcpEvaluation = Object.freeze({ kind: "unlabelled" });

// The label asking for a PROXY protocol option on a TCP service's server line.
export function tcpProxyLabel(tcpLabel: string): string {
  return `${tcpLabel}.proxy-protocol`;
}

// `<public port>:<container port>`, each strictly 1-65535; undefined for anything else.
export function parseTcpMapping(value: unknown): { publicPort: number; port: number } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^([0-9]{1,5}):([0-9]{1,5})$/.exec(value);
  const publicPort = match?.[1] === undefined ? undefined : parsePort(match[1]);
  const port = match?.[2] === undefined ? undefined : parsePort(match[2]);
  return publicPort === undefined || port === undefined ? undefined : { publicPort, port };
}

// Evaluates one container object for its TCP route; `networks` is options.backendNetworks parsed.
export function evaluateTcpContainer(
  container: Record<string, unknown>,
  options: ModelOptions,
  networks: BackendNetworks | undefined,
): TcpEvaluation {
  const labels = container.labels;
  const value = ownField(labels, options.tcpLabel);
  if (value === undefined) return UNLABELLED;
  const ref = containerRef(container);
  const skip = (code: ContainerSkipCode, reason: string): TcpEvaluation => ({
    kind: "skipped",
    skip: { ...ref, code, reason: `${options.tcpLabel}: ${reason}`, route: "tcp" },
  });
  const mapping = parseTcpMapping(value);
  if (mapping === undefined)
    return skip(
      "tcp-label-invalid",
      `label ${options.tcpLabel}=${describeValue(value)} is not <public port>:<container port>, each 1-65535`,
    );
  // a skip that still claims the port for the container's stack
  const claimed = (code: ContainerSkipCode, reason: string): TcpEvaluation => ({
    ...skip(code, reason),
    ...claimOf(container, mapping.publicPort, code),
  });
  const proxyName = tcpProxyLabel(options.tcpLabel);
  const proxy = ownField(labels, proxyName);
  const misspelt = misspeltProxyLabel(labels, options.tcpLabel);
  if (proxy === undefined && misspelt !== undefined)
    return claimed(
      "proxy-invalid",
      `label ${describeValue(misspelt)} is no option: a misspelt ${proxyName}? (served without it, a backend that expects the PROXY header fails every connection)`,
    );
  if (proxy !== undefined && !isProxyOption(proxy))
    return claimed(
      "proxy-invalid",
      `label ${proxyName}=${describeValue(proxy)} is not one of ${PROXY_OPTIONS.join(", ")}`,
    );
  const checked = checkContainer(container, null, networks);
  if (!checked.ok) return claimed(checked.code, checked.reason);
  const { identity } = checked;
  const server: Server = {
    name: identity.serverName,
    address: identity.address,
    port: mapping.port,
    container: ref.container,
    uuid: identity.uuid,
  };
  if (proxy !== undefined) server.proxy = proxy as ProxyOption;
  return { kind: "candidate", candidate: { ref, publicPort: mapping.publicPort, identity, server } };
}

// The first label `<tcpLabel>.<name>` whose name is a misspelling of `proxy-protocol` (`proxy_protocol`,
// `Proxy-Protocol`, `proxy-protocl`): ignored, it was routed without the header with no word anywhere.
function misspeltProxyLabel(labels: unknown, tcpLabel: string): string | undefined {
  if (typeof labels !== "object" || labels === null) return undefined;
  for (const key of Object.keys(labels).sort())
    if (
      key.startsWith(`${tcpLabel}.`) &&
      misspeltName(key.slice(tcpLabel.length + 1), PROXY_NAME) !== undefined
    )
      return key;
  return undefined;
}

const PROXY_NAME = ["proxy-protocol"] as const;

// The claim of `publicPort` by the container's stack, skipped as `code`, as `{ claim }`; {} when the stack
// name could never be routed (none, not a DNS label once lower-cased, outside ASCII).
function claimOf(
  container: Record<string, unknown>,
  publicPort: number,
  code: ContainerSkipCode,
): { claim?: TcpClaim } {
  const stackName = container.stack_name;
  const stack = typeof stackName === "string" ? lowerAscii(stackName) : undefined;
  if (typeof stackName !== "string" || stack === undefined || !isDnsLabel(stack)) return {};
  const uuid = container.stack_uuid;
  return { claim: { publicPort, stack, stackName, stackUuid: typeof uuid === "string" ? uuid : "", code } };
}
