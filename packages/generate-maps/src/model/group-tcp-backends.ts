// Step 2 of the model for TCP services: candidates become `tcp_<public port>` backends (mode tcp). A
// port claimed by several stacks goes to one, deterministically whatever order metadata listed them in:
// the lowest stack name (lower-cased; then the spelling already in lower case, as for HTTP; then as
// written, then by uuid); the others are skipped with a reason.
// A stack whose containers claim the port but none serves (down, redeploying, or refused: a bad PROXY
// option, an address outside the backend networks) keeps it: its backend stays with no server (as a held
// path's: the reloader keeps its slots, so the down and the up are runtime steps, not reloads; HAProxy
// closes the port's connections meanwhile), and a `tcp-port-held` note says so, naming the skip codes of
// its containers.
import { compareStrings, tcpBackendName } from "@rancher-haproxy/core";
import { compareCandidates, compareStacks, type StackKey } from "./compare-stacks.js";
import type { TcpCandidate, TcpClaim } from "./evaluate-tcp-container.js";
import { isSameListing } from "./container-ref.js";
import { groupBy } from "./group-by.js";
import type { NoteBudget } from "./note-budget.js";
import { portConflict } from "./port-conflict.js";
import { heldCause, portHeld } from "./port-held.js";
import type { Backend, SkippedContainer } from "./routing-table.js";

// TCP backends sorted by name with servers sorted by name, and the candidates that lost a port or a name.
export interface TcpGrouping {
  backends: Backend[];
  skipped: SkippedContainer[];
  /** each backend's stack as metadata spells it (the port's winner), by backend name */
  stackNames: Map<string, string>;
}

// Groups candidates by public port; per port one stack wins and each server name is used once. `claims`:
// the ports skipped containers claim for their stacks; such a stack wins as if it were served, and its
// port's backend has no server until one of its containers is (a rival stack's containers never get it
// meanwhile), with a `tcp-port-held` note in `notes`. Within one lower-cased name a served spelling (or
// uuid) wins over one that only claims. A skip's reason starts with `tcpLabel` (ModelOptions.tcpLabel), as
// step 1's do.
export function groupTcpBackends(
  candidates: readonly TcpCandidate[],
  notes: NoteBudget,
  claims: readonly TcpClaim[],
  tcpLabel: string,
): TcpGrouping {
  const byPort = groupBy(candidates, (candidate) => candidate.publicPort);
  const claimsByPort = groupBy(claims, (claim) => claim.publicPort);
  const grouping: TcpGrouping = { backends: [], skipped: [], stackNames: new Map() };
  for (const port of [...new Set([...byPort.keys(), ...claimsByPort.keys()])].sort((a, b) => a - b)) {
    const members = [...(byPort.get(port) ?? [])].sort(compareCandidates);
    const first = members[0];
    if (!first) {
      const owner = (claimsByPort.get(port) ?? []).reduce<StackKey | undefined>(
        (best, claim) => (best === undefined || compareStacks(claim, best) < 0 ? claim : best),
        undefined,
      );
      if (owner) {
        notes.add(portHeld(owner, port, heldCause(claimsByPort.get(port), owner)));
        pushBackend(grouping, port, owner, []);
      }
      continue;
    }
    // A claim of the served stack's own (lower-cased) name never beats it, as for HTTP: another spelling,
    // or a stack deleted and recreated under that name whose stopped containers metadata still lists.
    const owner = (claimsByPort.get(port) ?? [])
      .filter((claim) => claim.stack !== first.identity.stack)
      .reduce<StackKey>((best, claim) => (compareStacks(claim, best) < 0 ? claim : best), first.identity);
    const served = compareStacks(first.identity, owner) === 0;
    const cause = served ? null : heldCause(claimsByPort.get(port), owner);
    const name = tcpBackendName(port);
    const servers = new Map<string, TcpCandidate>();
    for (const candidate of members) {
      const taken = servers.get(candidate.server.name);
      if (compareStacks(candidate.identity, owner) !== 0)
        grouping.skipped.push(portConflict(candidate, owner, cause, port, tcpLabel));
      // The same container listed twice is one server, not a duplicate of itself.
      else if (taken && isSameListing(taken, candidate)) continue;
      else if (taken) grouping.skipped.push(duplicateServer(candidate, taken, name, tcpLabel));
      else servers.set(candidate.server.name, candidate);
    }
    if (cause !== null) notes.add(portHeld(owner, port, cause));
    pushBackend(grouping, port, owner, cause === null ? [...servers.values()].map((c) => c.server) : []);
  }
  grouping.backends.sort((a, b) => compareStrings(a.name, b.name));
  return grouping;
}

// Adds `owner`'s backend of `port` (no server: the port is held). No options and no host claims: a TCP
// backend is reached only through its port.
function pushBackend(
  grouping: TcpGrouping,
  port: number,
  owner: StackKey,
  servers: Backend["servers"],
): void {
  const name = tcpBackendName(port);
  grouping.backends.push({ name, mode: "tcp", servers, stack: owner.stack, hostClaims: [] });
  grouping.stackNames.set(name, owner.stackName);
}

function duplicateServer(
  loser: TcpCandidate,
  winner: TcpCandidate,
  backend: string,
  tcpLabel: string,
): SkippedContainer {
  return {
    ...loser.ref,
    code: "duplicate-server",
    reason: `${tcpLabel}: server name ${loser.server.name} is already taken in backend ${backend} by container ${winner.ref.container}`,
    route: "tcp",
  };
}
