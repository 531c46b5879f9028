// The checks every routed container passes whatever its route (HTTP or TCP): a stack, a service and a
// uuid that make safe names, an allowed address, a serving state and health. Pure and total.
import {
  isDnsLabel,
  isIPv4,
  isServerToken,
  isUuidToken,
  lowerAscii,
  MAX_DNS_NAME_LENGTH,
} from "@rancher-haproxy/core";
import { checkBackendAddress, type BackendNetworks } from "./check-backend-address.js";
import { isServingHealth, isServingState } from "./container-lifecycle.js";
import { describeValue } from "./describe-value.js";
import type { ContainerSkipCode } from "./reasons.js";

// What a container that passed is, as names HAProxy may see.
export interface ContainerIdentity {
  /** the stack as metadata spells it, its lower-cased name (a DNS label) and its uuid ("" when none) */
  stackName: string;
  stack: string;
  stackUuid: string;
  /** the lower-cased service name (a server-name token; a DNS label when `serviceBackend` asked for one) */
  service: string;
  /** the service as metadata spells it: two spellings of one stack's service lower-case to one backend */
  serviceName: string;
  /** `<service>-<uuid>`, lower-cased */
  serverName: string;
  uuid: string;
  address: string;
}

// The names of a container whose names passed (the address or the lifecycle failed): its identity as
// far as it was checked.
export type ContainerNames = Pick<
  ContainerIdentity,
  "stackName" | "stack" | "stackUuid" | "service" | "serviceName"
>;

// Passed, or the first check failed (in a fixed order, so the reason is stable); `names` when the
// failure came after the names passed (its address or its lifecycle).
export type ContainerCheck =
  | { ok: true; identity: ContainerIdentity }
  | { ok: false; code: ContainerSkipCode; reason: string; names?: ContainerNames };

// Checks names, address and lifecycle; `domain` (null: no host name) bounds <stack>.<domain>;
// `serviceBackend`: the service names a backend `<stack>.<service>` (a path label), so it must be a DNS label.
export function checkContainer(
  container: Record<string, unknown>,
  domain: string | null,
  networks: BackendNetworks | undefined,
  serviceBackend = false,
): ContainerCheck {
  const stackName = container.stack_name;
  if (stackName === undefined || stackName === null || stackName === "")
    return refuse("no-stack", "not in a stack (no stack_name)");
  const stackAsWritten = passesAsWritten(stackName, isDnsLabel);
  const stack = stackAsWritten ? stackName : lowerName(stackName);
  if (stack === undefined) return refuse("stack-invalid", notAscii("stack_name", stackName));
  if (!stackAsWritten && !isDnsLabel(stack))
    return refuse(
      "stack-invalid",
      `stack_name ${describeValue(stackName)} is not a DNS label once lower-cased`,
    );
  if (domain !== null && stack.length + 1 + domain.length > MAX_DNS_NAME_LENGTH)
    return refuse(
      "stack-invalid",
      `host ${stack}.${domain} is longer than ${MAX_DNS_NAME_LENGTH} characters`,
    );
  const serviceName = container.service_name;
  const serviceAsWritten = passesAsWritten(serviceName, isServerToken);
  const service = serviceAsWritten ? serviceName : lowerName(serviceName);
  if (service === undefined) return refuse("service-invalid", notAscii("service_name", serviceName));
  if (!serviceAsWritten && !isServerToken(service))
    return refuse(
      "service-invalid",
      `service_name ${describeValue(serviceName)} is not a server-name token once lower-cased`,
    );
  if (serviceBackend && !isDnsLabel(service))
    return refuse(
      "service-invalid",
      `service_name ${describeValue(serviceName)} must be a DNS label once lower-cased for a path label (backend <stack>.<service>)`,
    );
  const uuidValue = container.uuid;
  const uuidAsWritten = passesAsWritten(uuidValue, isUuidToken);
  const uuid = uuidAsWritten ? uuidValue : (lowerName(uuidValue) ?? "");
  if (!uuidAsWritten && !isUuidToken(uuid))
    return refuse("uuid-invalid", `uuid ${describeValue(uuidValue)} is not hex digits and dashes`);

  const stackUuid = container.stack_uuid;
  const ip = container.primary_ip;
  // One object of one shape per container, all its fields in one literal, made before the address and
  // lifecycle checks: a refusal by them carries it as its names (its address unchecked, never read). A
  // names object spread into the identity with three fields added cost ≈ 0.35 G instructions and ≈ 13
  // more scavenges in a one-shot cycle at 10 000 containers (bench/README.md, 2026-12-05).
  const identity: ContainerIdentity = {
    stackName: String(stackName),
    stack,
    stackUuid: typeof stackUuid === "string" ? stackUuid : "",
    service,
    serviceName: String(serviceName),
    serverName: `${service}-${uuid}`,
    uuid,
    address: typeof ip === "string" ? ip : "",
  };
  if (ip === undefined || ip === null || ip === "") return refuse("no-ip", "no primary_ip", identity);
  if (typeof ip !== "string" || !isIPv4(ip))
    return refuse("ip-invalid", `primary_ip ${describeValue(ip)} is not an IPv4 address`, identity);
  const refused = checkBackendAddress(ip, networks);
  if (refused) return refuse(refused.code, refused.reason, identity);
  const state = container.state;
  if (!isServingState(state))
    return refuse(
      "not-running",
      `state is ${describeValue(state)}, not "running" or "updating-running"`,
      identity,
    );
  const health = container.health_state;
  if (!isServingHealth(health))
    return refuse(
      "unhealthy",
      `health_state is ${describeValue(health)}, not "healthy", "updating-healthy" or null`,
      identity,
    );
  return { ok: true, identity };
}

// True when `value` is text that `rule` accepts as written. Each rule here (isDnsLabel, isServerToken,
// isUuidToken) accepts only lower-case ASCII, so such a name is its own lower case: neither lowerAscii's
// test nor toLowerCase runs for it, nor the rule again (nearly every name: Rancher writes them in lower
// case; ≈ 0.02 G instructions of a one-shot cycle at 10 000 containers, bench/README.md, 2026-12-05).
function passesAsWritten(value: unknown, rule: (name: string) => boolean): value is string {
  return typeof value === "string" && rule(value);
}

// A name from metadata lower-cased for its rule: "" when it is not text, undefined with a character
// outside ASCII (notAscii).
function lowerName(value: unknown): string | undefined {
  return typeof value === "string" ? lowerAscii(value) : "";
}

// A name with a character outside ASCII, refused before it is lower-cased: some lower-case into ASCII
// (the Kelvin sign U+212A becomes `k`), and the name Rancher shows must not route as another one.
function notAscii(field: string, value: unknown): string {
  return `${field} ${describeValue(value)} has a character outside ASCII (it could lower-case to another name)`;
}

function refuse(code: ContainerSkipCode, reason: string, names?: ContainerNames): ContainerCheck {
  return names === undefined ? { ok: false, code, reason } : { ok: false, code, reason, names };
}
