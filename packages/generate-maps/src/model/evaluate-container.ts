// Step 1 of the model for one container and its HTTP route: a candidate server, a skipped entry with a
// reason, or unlabelled. Checked in a fixed order (labels, names, address, lifecycle), so its reason is
// stable. Pure and total.
import {
  isProxyOption,
  OversizedEntry,
  parsePort,
  PROXY_OPTIONS,
  type LabelSettings,
} from "@rancher-haproxy/core";
import { parseBackendNetworks, type BackendNetworks } from "./check-backend-address.js";
import { checkContainer } from "./check-container.js";
import { containerRef } from "./container-ref.js";
import { describeValue } from "./describe-value.js";
import { ownField } from "./own-field.js";
import { closedReading, readLabelOptions } from "./read-label-options.js";
import type { ContainerSkipCode } from "./reasons.js";
import type { ContainerRef, ModelOptions, Server, SkippedContainer } from "./routing-table.js";

// What a labelled container asks of its backend, served or not (a PathHold has no server).
export interface BackendWish {
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
  /** the service as metadata spells it: two services of a stack may lower-case to one path backend */
  serviceName: string;
}

// A container that passed every check of its own; stacks and server names are settled across containers later.
export interface Candidate extends BackendWish {
  server: Server;
}

// A container that does not serve at the moment (HOLDING_CODES: down, unhealthy, no address yet, as in
// every redeploy): while it is listed, its backend keeps its keys with no server, a path backend its path,
// a stack's backend its `hosts` claims (groupBackends keeps a stack's backend only for its claims).
export type PathHold = BackendWish;

// The skips during which a container holds its backend's path or `hosts` claims: lifecycle states a
// deploy goes through, not mistakes in labels, names or addresses.
const HOLDING_CODES: ReadonlySet<ContainerSkipCode> = new Set(["no-ip", "not-running", "unhealthy"]);

// The three ways a container can come out of step 1 (a skipped one may hold its path: `hold`).
export type Evaluation =
  | { kind: "unlabelled"; ref: ContainerRef }
  | { kind: "skipped"; skip: SkippedContainer; hold?: PathHold }
  | { kind: "candidate"; candidate: Candidate };

// Checks one container for its HTTP route in a fixed order (labels, names, address, lifecycle), so its
// reason is stable.
// `networks`: options.backendNetworks parsed once by the caller (parsed here when not given).
export function evaluateContainer(
  container: unknown,
  options: ModelOptions,
  networks: BackendNetworks | undefined = parseBackendNetworks(options.backendNetworks),
): Evaluation {
  if (!isObject(container)) return notAnObject(container);
  const ref = containerRef(container);
  const labels = container.labels;
  const portLabel = ownField(labels, options.label);
  if (portLabel === undefined) return { kind: "unlabelled", ref };

  const port = typeof portLabel === "string" ? parsePort(portLabel) : undefined;
  if (port === undefined)
    return skipped(
      ref,
      "port-invalid",
      `label ${options.label}=${describeValue(portLabel)} is not a port 1-65535 (digits only)`,
    );
  const proxyLabel = ownField(labels, options.proxyLabel);
  if (proxyLabel !== undefined && !isProxyOption(proxyLabel))
    return skipped(
      ref,
      "proxy-invalid",
      `label ${options.proxyLabel}=${describeValue(proxyLabel)} is not one of ${PROXY_OPTIONS.join(", ")}`,
    );

  const reading = readLabelOptions(labels, options.label);
  if ("skip" in reading) return closedHold(container, ref, reading.skip, options, networks);

  const path = reading.settings.path;
  const checked = checkContainer(container, options.domain, networks, path !== undefined);
  if (!checked.ok) {
    const { code, reason, names } = checked;
    if (names === undefined || !HOLDING_CODES.has(code)) return skipped(ref, code, reason);
    const { stack, stackName, stackUuid, service, serviceName } = names;
    const { settings, warnings } = reading;
    const hold = {
      ref,
      backend: path === undefined ? stack : `${stack}.${service}`,
      stack,
      settings,
      warnings,
      stackName,
      stackUuid,
      serviceName,
    };
    return { kind: "skipped", skip: { ...ref, code, reason }, hold };
  }
  const { identity } = checked;
  const server: Server = {
    name: identity.serverName,
    address: identity.address,
    port,
    container: ref.container,
    uuid: identity.uuid,
  };
  if (proxyLabel !== undefined) server.proxy = proxyLabel;
  if (reading.settings.server.maxconn !== undefined) server.maxconn = reading.settings.server.maxconn;
  return {
    kind: "candidate",
    candidate: {
      ref,
      backend: path === undefined ? identity.stack : `${identity.stack}.${identity.service}`,
      stack: identity.stack,
      settings: reading.settings,
      warnings: reading.warnings,
      stackName: identity.stackName,
      stackUuid: identity.stackUuid,
      serviceName: identity.serviceName,
      server,
    },
  };
}

function skipped(ref: ContainerRef, code: ContainerSkipCode, reason: string): Evaluation {
  return { kind: "skipped", skip: { ...ref, code, reason } };
}

// A /containers entry that is not an object (a string, a number, a list, null), or one too large to be
// read (OversizedEntry): skipped, never routed. Named by what it is, not by its place in the list, which
// metadata changes at each reload (a name by place logged the same skip again each time).
export function notAnObject(entry: unknown): Evaluation {
  const oversized = entry instanceof OversizedEntry;
  const what = oversized ? `of ${entry.bytes} bytes` : describeValue(entry);
  const reason = oversized
    ? `entry ${what} is over the ${entry.maxBytes}-byte cap of one container: not read`
    : `entry ${what} is not a container object`;
  const container = oversized ? `(entry ${what})` : `(entry: ${what})`;
  return { kind: "skipped", skip: { container, uuid: null, stack: null, code: "entry-invalid", reason } };
}

// A plain object (a container entry), not null, a list or an entry left unread.
export function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof OversizedEntry)
  );
}

// A container skipped for an invalid `https`/`hsts` label (a typo in a deploy) with a valid path or
// `hosts` claims: it holds its path or its stack's claims failing closed (https=only, closedReading)
// while no container of its backend serves, like a container that is down; a typo must not hand `/api`
// to the stack's `/` backend, nor `www.shop.com` to a rival's claim, over plain HTTP.
function closedHold(
  container: Record<string, unknown>,
  ref: ContainerRef,
  reason: string,
  options: ModelOptions,
  networks: BackendNetworks | undefined,
): Evaluation {
  const skip = { ...ref, code: "option-invalid" as const, reason };
  const reading = closedReading(container.labels, options.label);
  if (reading === undefined) return { kind: "skipped", skip };
  const path = reading.settings.path;
  const checked = checkContainer(container, options.domain, networks, path !== undefined);
  const names = checked.ok ? checked.identity : HOLDING_CODES.has(checked.code) ? checked.names : undefined;
  if (names === undefined) return { kind: "skipped", skip };
  const { stack, stackName, stackUuid, service, serviceName } = names;
  const backend = path === undefined ? stack : `${stack}.${service}`;
  const hold = { ref, backend, stack, ...reading, stackName, stackUuid, serviceName };
  return { kind: "skipped", skip, hold };
}
