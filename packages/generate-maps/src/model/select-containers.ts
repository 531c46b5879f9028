// Step 1 of the model: each container on its own is routed, skipped with a reason, or simply unlabelled.
import { checkBackendAddress, parseBackendNetworks, type BackendNetworks } from "./check-backend-address.js";
import { isServingHealth, isServingState } from "./container-lifecycle.js";
import { containerRef } from "./container-ref.js";
import { describeValue } from "./describe-value.js";
import {
  isDnsLabel,
  isIPv4,
  isServerToken,
  isUuidToken,
  MAX_DNS_NAME_LENGTH,
  parsePort,
} from "@rancher-haproxy/core";
import { ownField } from "./own-field.js";
import { readLabelOptions } from "./read-label-options.js";
import type { LabelSettings } from "@rancher-haproxy/core";
import type { ContainerSkipCode } from "./reasons.js";
import {
  PROXY_OPTIONS,
  type ContainerRef,
  type ModelOptions,
  type ProxyOption,
  type Server,
  type SkippedContainer,
} from "./routing-table.js";

// A container that passed every check of its own; stacks and server names are settled across containers later.
export interface Candidate {
  ref: ContainerRef;
  /** the backend: the lower-cased stack, or `<stack>.<service>` with a path label */
  backend: string;
  /** the lower-cased stack name */
  stack: string;
  /** what its option labels ask for, and the warnings of the values that fell back to a default */
  settings: LabelSettings;
  warnings: string[];
  /** the stack as metadata spells it, and its uuid: two stacks may lower-case to one backend */
  stackName: string;
  stackUuid: string;
  server: Server;
}

// The three ways a container can come out of step 1.
export type Evaluation =
  | { kind: "unlabelled"; ref: ContainerRef }
  | { kind: "skipped"; skip: SkippedContainer }
  | { kind: "candidate"; candidate: Candidate };

// Step 1 over the whole list, in input order (the caller sorts).
export interface Selection {
  candidates: Candidate[];
  skipped: SkippedContainer[];
  unlabelled: ContainerRef[];
}

// Evaluates every container on its own; never throws, whatever the objects hold.
export function selectContainers(containers: readonly unknown[], options: ModelOptions): Selection {
  const selection: Selection = { candidates: [], skipped: [], unlabelled: [] };
  const networks = parseBackendNetworks(options.backendNetworks);
  for (const [index, container] of containers.entries()) {
    const result = isObject(container)
      ? evaluateContainer(container, options, networks)
      : notAnObject(container, `(entry ${index})`);
    if (result.kind === "unlabelled") selection.unlabelled.push(result.ref);
    else if (result.kind === "skipped") selection.skipped.push(result.skip);
    else selection.candidates.push(result.candidate);
  }
  return selection;
}

// Checks one container in a fixed order (labels, names, address, lifecycle), so its reason is stable.
// `networks`: options.backendNetworks parsed once by the caller (parsed here when not given).
export function evaluateContainer(
  container: unknown,
  options: ModelOptions,
  networks: BackendNetworks | undefined = parseBackendNetworks(options.backendNetworks),
): Evaluation {
  if (!isObject(container)) return notAnObject(container, "(unnamed)");
  const ref = containerRef(container);
  const skip = (code: ContainerSkipCode, reason: string): Evaluation => ({
    kind: "skipped",
    skip: { ...ref, code, reason },
  });
  const field = (key: string) => ownField(container, key);
  const labels = field("labels");
  const portLabel = ownField(labels, options.label);
  if (portLabel === undefined) return { kind: "unlabelled", ref };

  const port = typeof portLabel === "string" ? parsePort(portLabel) : undefined;
  if (port === undefined)
    return skip(
      "port-invalid",
      `label ${options.label}=${describeValue(portLabel)} is not a port 1-65535 (digits only)`,
    );
  const proxyLabel = ownField(labels, options.proxyLabel);
  if (proxyLabel !== undefined && !isProxyOption(proxyLabel))
    return skip(
      "proxy-invalid",
      `label ${options.proxyLabel}=${describeValue(proxyLabel)} is not one of ${PROXY_OPTIONS.join(", ")}`,
    );

  const reading = readLabelOptions(labels, options.label);
  if ("skip" in reading) return skip("option-invalid", reading.skip);

  const stackName = field("stack_name");
  if (stackName === undefined || stackName === null || stackName === "")
    return skip("no-stack", "not in a stack (no stack_name)");
  const backend = typeof stackName === "string" ? stackName.toLowerCase() : "";
  if (!isDnsLabel(backend))
    return skip(
      "stack-invalid",
      `stack_name ${describeValue(stackName)} is not a DNS label once lower-cased`,
    );
  if (backend.length + 1 + options.domain.length > MAX_DNS_NAME_LENGTH)
    return skip(
      "stack-invalid",
      `host ${backend}.${options.domain} is longer than ${MAX_DNS_NAME_LENGTH} characters`,
    );
  const serviceName = field("service_name");
  const service = typeof serviceName === "string" ? serviceName.toLowerCase() : "";
  if (!isServerToken(service))
    return skip(
      "service-invalid",
      `service_name ${describeValue(serviceName)} is not a server-name token once lower-cased`,
    );
  const path = reading.settings.path;
  if (path !== undefined && !isDnsLabel(service))
    return skip(
      "service-invalid",
      `service_name ${describeValue(serviceName)} must be a DNS label once lower-cased for a path label (backend <stack>.<service>)`,
    );
  const uuidValue = field("uuid");
  const uuid = typeof uuidValue === "string" ? uuidValue.toLowerCase() : "";
  if (!isUuidToken(uuid))
    return skip("uuid-invalid", `uuid ${describeValue(uuidValue)} is not hex digits and dashes`);

  const ip = field("primary_ip");
  if (ip === undefined || ip === null || ip === "") return skip("no-ip", "no primary_ip");
  if (typeof ip !== "string" || !isIPv4(ip))
    return skip("ip-invalid", `primary_ip ${describeValue(ip)} is not an IPv4 address`);
  const refused = checkBackendAddress(ip, networks);
  if (refused) return skip(refused.code, refused.reason);
  const state = field("state");
  if (!isServingState(state))
    return skip("not-running", `state is ${describeValue(state)}, not "running" or "updating-running"`);
  const health = field("health_state");
  if (!isServingHealth(health))
    return skip(
      "unhealthy",
      `health_state is ${describeValue(health)}, not "healthy", "updating-healthy" or null`,
    );

  const stackUuid = field("stack_uuid");
  const server: Server = { name: `${service}-${uuid}`, address: ip, port, container: ref.container, uuid };
  if (proxyLabel !== undefined) server.proxy = proxyLabel;
  if (reading.settings.server.maxconn !== undefined) server.maxconn = reading.settings.server.maxconn;
  return {
    kind: "candidate",
    candidate: {
      ref,
      backend: path === undefined ? backend : `${backend}.${service}`,
      stack: backend,
      settings: reading.settings,
      warnings: reading.warnings,
      stackName: String(stackName),
      stackUuid: typeof stackUuid === "string" ? stackUuid : "",
      server,
    },
  };
}

// A /containers entry that is not an object (a string, a number, a list, null): skipped, never routed.
function notAnObject(entry: unknown, label: string): Evaluation {
  return {
    kind: "skipped",
    skip: {
      container: label,
      uuid: null,
      stack: null,
      code: "entry-invalid",
      reason: `entry ${describeValue(entry)} is not a container object`,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isProxyOption(value: unknown): value is ProxyOption {
  return typeof value === "string" && (PROXY_OPTIONS as readonly string[]).includes(value);
}
