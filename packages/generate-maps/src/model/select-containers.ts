// Step 1 of the model: each container on its own is routed, skipped with a reason, or simply unlabelled.
import { parseBackendNetworks, type BackendNetworks } from "./check-backend-address.js";
import {
  evaluateContainer,
  isObject,
  notAnObject,
  type Candidate,
  type PathHold,
} from "./evaluate-container.js";
import { evaluateTcpContainer, type TcpCandidate, type TcpClaim } from "./evaluate-tcp-container.js";
import { containerRef } from "./container-ref.js";
import { describeValue } from "./describe-value.js";
import { NetworkFromAddresses } from "./network-from.js";
import type { ContainerEntries, ContainerRef, ModelOptions, SkippedContainer } from "./routing-table.js";
import { runSteps, type Steps } from "./run-steps.js";

// Step 1 over the whole list, in input order (the caller sorts): HTTP candidates, TCP candidates, the
// skipped of both routes, and the containers with neither label.
export interface Selection {
  /** how many entries the list had */
  entries: number;
  candidates: Candidate[];
  /** the backends (paths, `hosts` claims) skipped HTTP containers hold while they do not serve (down,
   * redeploying) */
  pathHolds: PathHold[];
  tcpCandidates: TcpCandidate[];
  /** the public ports skipped TCP containers claim for their stacks */
  tcpClaims: TcpClaim[];
  skipped: SkippedContainer[];
  unlabelled: ContainerRef[];
}

// Evaluates every container on its own, for each route; never throws, whatever the objects hold. A
// container sharing another's network is evaluated once the whole list was read (network-from.ts).
// `environment`: the generator's own (null: unknown); a labelled container of another is skipped.
export function selectContainers(
  containers: ContainerEntries,
  options: ModelOptions,
  environment: string | null = null,
): Selection {
  return runSteps(selectContainerSteps(containers, options, environment));
}

// selectContainers as steps: one step per entry (its parse, for entries read one at a time, and its
// evaluation), so a cycle can pause between the entries of a long list.
export function* selectContainerSteps(
  containers: ContainerEntries,
  options: ModelOptions,
  environment: string | null = null,
): Steps<Selection> {
  const selection: Selection = {
    entries: 0,
    candidates: [],
    pathHolds: [],
    tcpCandidates: [],
    tcpClaims: [],
    skipped: [],
    unlabelled: [],
  };
  const networks = parseBackendNetworks(options.backendNetworks);
  const addresses = new NetworkFromAddresses();
  for (const container of containers) {
    selection.entries++;
    if (!isObject(container)) {
      const result = notAnObject(container);
      if (result.kind === "skipped") selection.skipped.push(result.skip);
    } else {
      const foreign = otherEnvironment(container, environment);
      if (foreign !== null) skipForeign(selection, container, options, networks, foreign);
      else if (!addresses.note(container)) select(selection, container, options, networks);
    }
    yield;
  }
  for (const container of addresses.waiting) {
    const resolved = addresses.resolve(container);
    select(selection, resolved.container, options, networks, resolved.noIp);
    yield;
  }
  return selection;
}

// One container's evaluations, for each route, added to the selection. `noIp`: the reason of its `no-ip`
// skip when it shares another's network and the list gives it no address (network-from.ts).
function select(
  selection: Selection,
  container: Record<string, unknown>,
  options: ModelOptions,
  networks: BackendNetworks | undefined,
  noIp: string | null = null,
): void {
  const result = evaluateContainer(container, options, networks);
  const tcp = evaluateTcpContainer(container, options, networks);
  if (result.kind === "skipped") {
    selection.skipped.push(explainNoIp(result.skip, noIp));
    if (result.hold) selection.pathHolds.push(result.hold);
  } else if (result.kind === "candidate") selection.candidates.push(result.candidate);
  if (tcp.kind === "skipped") {
    selection.skipped.push(explainNoIp(tcp.skip, noIp));
    if (tcp.claim) selection.tcpClaims.push(tcp.claim);
  } else if (tcp.kind === "candidate") selection.tcpCandidates.push(tcp.candidate);
  if (result.kind === "unlabelled" && tcp.kind === "unlabelled") selection.unlabelled.push(result.ref);
}

// A container of another environment: each route it is labelled for skips it (`reason`), whatever its
// own checks say, since neither may serve it here.
function skipForeign(
  selection: Selection,
  container: Record<string, unknown>,
  options: ModelOptions,
  networks: BackendNetworks | undefined,
  reason: string,
): void {
  const result = evaluateContainer(container, options, networks);
  const tcp = evaluateTcpContainer(container, options, networks);
  const ref = containerRef(container);
  if (result.kind !== "unlabelled") selection.skipped.push({ ...ref, code: "other-environment", reason });
  if (tcp.kind !== "unlabelled")
    selection.skipped.push({
      ...ref,
      code: "other-environment",
      reason: `${options.tcpLabel}: ${reason}`,
      route: "tcp",
    });
  if (result.kind === "unlabelled" && tcp.kind === "unlabelled") selection.unlabelled.push(result.ref);
}

// Why a container is not of the generator's environment; null when it is, or either is unknown.
function otherEnvironment(container: Record<string, unknown>, environment: string | null): string | null {
  const own = container.environment_uuid;
  if (environment === null || typeof own !== "string" || own === "" || own === environment) return null;
  return `environment_uuid ${describeValue(own)} is not the generator's environment (${describeValue(environment)}): a linked service of another environment, routed by that environment's proxy`;
}

// A `no-ip` skip of a container whose network owner the list gives no address for says why (`noIp`).
function explainNoIp(skip: SkippedContainer, noIp: string | null): SkippedContainer {
  if (noIp === null || skip.code !== "no-ip") return skip;
  return { ...skip, reason: noIp };
}
