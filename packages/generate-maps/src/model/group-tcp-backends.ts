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
import type { TcpCandidate, TcpClaim } from "./evaluate-tcp-container.js";
import { compareServerLines } from "./compare-server-lines.js";
import { isSameListing } from "./container-ref.js";
import { groupBy } from "./group-by.js";
import type { NoteBudget } from "./note-budget.js";
import type { Backend, RouteNote, SkippedContainer } from "./routing-table.js";

// TCP backends sorted by name with servers sorted by name, and the candidates that lost a port or a name.
export interface TcpGrouping {
  backends: Backend[];
  skipped: SkippedContainer[];
  /** each backend's stack as metadata spells it (the port's winner), by backend name */
  stackNames: Map<string, string>;
}

// The stack of a candidate or of a claim, as the port's winner is chosen.
type StackKey = Pick<TcpClaim, "stack" | "stackName" | "stackUuid">;

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

// The winning stack first: the lowest lower-cased name; within one, the spelling already in lower case, as
// for HTTP (group-backends.ts), then as metadata spells it, then its uuid. Until 2026-12-05 the first as
// spelled won (`App` before `app`): app.<domain> served stack app while its port served App.
function compareStacks(a: StackKey, b: StackKey): number {
  return (
    compareStrings(a.stack, b.stack) ||
    spelledLower(a) - spelledLower(b) ||
    compareStrings(a.stackName, b.stackName) ||
    compareStrings(a.stackUuid, b.stackUuid)
  );
}

// 0 when the stack is spelled in lower case, 1 otherwise.
function spelledLower(stack: StackKey): number {
  return stack.stackName === stack.stack ? 0 : 1;
}

// Total order of candidates: stack, then the whole server line, then the container's name, then the
// uuid as spelled (twins may differ only there), so the order metadata listed them in never decides.
function compareCandidates(a: TcpCandidate, b: TcpCandidate): number {
  return (
    compareStacks(a.identity, b.identity) ||
    compareServerLines(a.server, b.server) ||
    compareStrings(a.ref.container, b.ref.container) ||
    compareStrings(a.ref.uuid ?? "", b.ref.uuid ?? "")
  );
}

function stackText(stack: StackKey, withUuid: boolean): string {
  const uuid = withUuid ? ` (uuid ${stack.stackUuid || "none"})` : "";
  return `"${stack.stackName}"${uuid}`;
}

// The skips that lifecycle states cause (a deploy goes through them), not mistakes in labels or addresses.
const LIFECYCLE_CODES: ReadonlySet<string> = new Set(["no-ip", "not-running", "unhealthy"]);

// Why `owner`'s containers claiming the port do not serve, from their skip codes (sorted, each once):
// `down or redeploying: not-running` when lifecycle states alone, else `skipped as proxy-invalid, …`.
function heldCause(claims: readonly TcpClaim[] | undefined, owner: StackKey): string {
  const codes = new Set<string>();
  for (const claim of claims ?? []) if (compareStacks(claim, owner) === 0) codes.add(claim.code);
  const list = [...codes].sort(compareStrings).join(", ");
  return [...codes].every((code) => LIFECYCLE_CODES.has(code))
    ? `down or redeploying: ${list}`
    : `skipped as ${list}`;
}

// `cause`: null when the winner has a container that serves the port; else why none does (heldCause), while
// the port waits for it.
function portConflict(
  loser: TcpCandidate,
  winner: StackKey,
  cause: string | null,
  port: number,
  tcpLabel: string,
): SkippedContainer {
  const same = loser.identity.stackName === winner.stackName;
  const waiting =
    cause === null
      ? ""
      : `, and keeps it while none of its containers serves (${cause}): the port closes connections meanwhile`;
  return {
    ...loser.ref,
    code: "tcp-port-conflict",
    reason:
      `${tcpLabel}: public TCP port ${port} is claimed by stack ${stackText(loser.identity, same)} and by stack ` +
      `${stackText(winner, same)}, which wins (${winnerRule(loser.identity, winner)})${waiting}`,
    route: "tcp",
  };
}

// Why `winner` beat `loser`: the lower-case spelling of one name, or else the lowest stack name.
function winnerRule(loser: StackKey, winner: StackKey): string {
  return loser.stack === winner.stack && winner.stackName === winner.stack && loser.stackName !== loser.stack
    ? "the spelling in lower case"
    : "lowest stack name";
}

// The note on a port kept for `owner` while none of its containers serves (`cause`): it closes connections.
function portHeld(owner: StackKey, port: number, cause: string): RouteNote {
  return {
    backend: tcpBackendName(port),
    container: null,
    code: "tcp-port-held",
    reason: `public TCP port ${port} is kept for stack ${stackText(owner, false)}, none of whose containers labelled for it serves (${cause}): the port closes connections until one does`,
  };
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
