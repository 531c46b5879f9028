// Step 1 of the model: each container on its own is routed, skipped with a reason, or simply unlabelled.
import { parseBackendNetworks } from "./check-backend-address.js";
import { evaluateContainer, isObject, notAnObject, type Candidate } from "./evaluate-container.js";
import { evaluateTcpContainer, type TcpCandidate } from "./evaluate-tcp-container.js";
import type { ContainerEntries, ContainerRef, ModelOptions, SkippedContainer } from "./routing-table.js";

// Step 1 over the whole list, in input order (the caller sorts): HTTP candidates, TCP candidates, the
// skipped of both routes, and the containers with neither label.
export interface Selection {
  /** how many entries the list had */
  entries: number;
  candidates: Candidate[];
  tcpCandidates: TcpCandidate[];
  skipped: SkippedContainer[];
  unlabelled: ContainerRef[];
}

// Evaluates every container on its own, for each route; never throws, whatever the objects hold.
export function selectContainers(containers: ContainerEntries, options: ModelOptions): Selection {
  const selection: Selection = { entries: 0, candidates: [], tcpCandidates: [], skipped: [], unlabelled: [] };
  const networks = parseBackendNetworks(options.backendNetworks);
  for (const container of containers) {
    const index = selection.entries++;
    if (!isObject(container)) {
      const result = notAnObject(container, `(entry ${index})`);
      if (result.kind === "skipped") selection.skipped.push(result.skip);
      continue;
    }
    const result = evaluateContainer(container, options, networks);
    const tcp = evaluateTcpContainer(container, options, networks);
    if (result.kind === "skipped") selection.skipped.push(result.skip);
    else if (result.kind === "candidate") selection.candidates.push(result.candidate);
    if (tcp.kind === "skipped") selection.skipped.push(tcp.skip);
    else if (tcp.kind === "candidate") selection.tcpCandidates.push(tcp.candidate);
    if (result.kind === "unlabelled" && tcp.kind === "unlabelled") selection.unlabelled.push(result.ref);
  }
  return selection;
}
