// Step 2 of the model for TCP services: candidates become `tcp_<public port>` backends (mode tcp). A
// port claimed by several stacks goes to one, deterministically whatever order metadata listed them in:
// the lowest stack name (lower-cased, then as written, then by uuid); the others are skipped with a reason.
import { compareStrings, tcpBackendName } from "@rancher-haproxy/core";
import type { TcpCandidate } from "./evaluate-tcp-container.js";
import { compareServerLines } from "./compare-server-lines.js";
import { isSameListing } from "./container-ref.js";
import { groupBy } from "./group-by.js";
import type { Backend, SkippedContainer } from "./routing-table.js";

// TCP backends sorted by name with servers sorted by name, and the candidates that lost a port or a name.
export interface TcpGrouping {
  backends: Backend[];
  skipped: SkippedContainer[];
}

// Groups candidates by public port; per port one stack wins and each server name is used once.
export function groupTcpBackends(candidates: readonly TcpCandidate[]): TcpGrouping {
  const byPort = groupBy(candidates, (candidate) => candidate.publicPort);
  const grouping: TcpGrouping = { backends: [], skipped: [] };
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    const members = [...(byPort.get(port) ?? [])].sort(compareCandidates);
    const winner = members[0];
    if (!winner) continue;
    const name = tcpBackendName(port);
    const servers = new Map<string, TcpCandidate>();
    for (const candidate of members) {
      const taken = servers.get(candidate.server.name);
      if (compareStacks(candidate, winner) !== 0)
        grouping.skipped.push(portConflict(candidate, winner, port));
      // The same container listed twice is one server, not a duplicate of itself.
      else if (taken && isSameListing(taken, candidate)) continue;
      else if (taken) grouping.skipped.push(duplicateServer(candidate, taken, name));
      else servers.set(candidate.server.name, candidate);
    }
    const list = [...servers.values()].map((c) => c.server);
    // no options and no host claims: a TCP backend is reached only through its port
    grouping.backends.push({
      name,
      mode: "tcp",
      servers: list,
      stack: winner.identity.stack,
      hostClaims: [],
    });
  }
  grouping.backends.sort((a, b) => compareStrings(a.name, b.name));
  return grouping;
}

// The winning stack first: the lowest lower-cased name, then as metadata spells it, then its uuid.
function compareStacks(a: TcpCandidate, b: TcpCandidate): number {
  return (
    compareStrings(a.identity.stack, b.identity.stack) ||
    compareStrings(a.identity.stackName, b.identity.stackName) ||
    compareStrings(a.identity.stackUuid, b.identity.stackUuid)
  );
}

// Total order of candidates: stack, then the whole server line, then the container's name, then the
// uuid as spelled (twins may differ only there), so the order metadata listed them in never decides.
function compareCandidates(a: TcpCandidate, b: TcpCandidate): number {
  return (
    compareStacks(a, b) ||
    compareServerLines(a.server, b.server) ||
    compareStrings(a.ref.container, b.ref.container) ||
    compareStrings(a.ref.uuid ?? "", b.ref.uuid ?? "")
  );
}

function stackText(candidate: TcpCandidate, withUuid: boolean): string {
  const uuid = withUuid ? ` (uuid ${candidate.identity.stackUuid || "none"})` : "";
  return `"${candidate.identity.stackName}"${uuid}`;
}

function portConflict(loser: TcpCandidate, winner: TcpCandidate, port: number): SkippedContainer {
  const same = loser.identity.stackName === winner.identity.stackName;
  return {
    ...loser.ref,
    code: "tcp-port-conflict",
    reason:
      `public TCP port ${port} is claimed by stack ${stackText(loser, same)} and by stack ` +
      `${stackText(winner, same)}, which wins (lowest stack name)`,
    route: "tcp",
  };
}

function duplicateServer(loser: TcpCandidate, winner: TcpCandidate, backend: string): SkippedContainer {
  return {
    ...loser.ref,
    code: "duplicate-server",
    reason: `server name ${loser.server.name} is already taken in backend ${backend} by container ${winner.ref.container}`,
    route: "tcp",
  };
}
