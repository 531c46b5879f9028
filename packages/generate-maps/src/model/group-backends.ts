// Step 2 of the model: candidates become backends, settling stacks that collide once lower-cased (across
// all their backends), services of a stack that collide once lower-cased (in their path backend) and servers
// that collide by name, deterministically whatever order metadata listed them in.
// A path backend none of whose containers serves but some are listed (down, redeploying: path holds)
// stays, with no server: its keys keep its path (a 503, or its https refusal), not the next key's backend.
// So does a stack's backend with `hosts` claims: a rival's claim, wildcard or parent never takes them.
import { compareStrings } from "@rancher-haproxy/core";
import { settleBackendOptions } from "./settle-backend-options.js";
import type { BackendWish, Candidate, PathHold } from "./evaluate-container.js";
import { compareServerLines } from "./compare-server-lines.js";
import { isSameListing } from "./container-ref.js";
import { groupBy } from "./group-by.js";
import type { NoteBudget } from "./note-budget.js";
import { stackText } from "./port-conflict.js";
import type { Backend, SkippedContainer } from "./routing-table.js";
import { runSteps, type Steps } from "./run-steps.js";
import { sameWish, wishOf } from "./wish-of.js";

// Backends sorted by name with servers sorted by name, and the candidates that lost a collision.
export interface Grouping {
  backends: Backend[];
  skipped: SkippedContainer[];
  /** each backend's stack as metadata spells it (the winning spelling), by backend name */
  stackNames: Map<string, string>;
}

// Groups candidates by backend; per lower-cased stack one spelling wins (see compareStacks) and each server name is
// used once; the notes on options (fallbacks, disagreements) go to `notes`. `holds`: a backend of them
// that gets no server is kept without one, its options from its listed containers' labels (a stack's
// backend only when it claims `hosts` names: else it would hold no key another stack could take).
export function groupBackends(
  candidates: readonly Candidate[],
  notes: NoteBudget,
  holds: readonly PathHold[] = [],
): Grouping {
  return runSteps(groupBackendSteps(candidates, notes, holds));
}

// groupBackends as steps: one per backend name, so a cycle can pause between the backends of a large
// table (250 000 routed stacks took ≈ 0.8 s in one piece).
export function* groupBackendSteps(
  candidates: readonly Candidate[],
  notes: NoteBudget,
  holds: readonly PathHold[] = [],
): Steps<Grouping> {
  const winners = stackWinners(candidates, holds);
  const byBackend = groupBy(candidates, (candidate) => candidate.backend);
  const heldBy = groupBy(holds, (hold) => hold.backend);
  const grouping: Grouping = { backends: [], skipped: [], stackNames: new Map() };
  for (const name of [...new Set([...byBackend.keys(), ...heldBy.keys()])].sort(compareStrings)) {
    yield;
    const members = [...(byBackend.get(name) ?? [])].sort(compareCandidates);
    const ofStack = (wish: BackendWish) => compareStacks(wish, winners.get(wish.stack) ?? wish) === 0;
    const service = serviceWinner(members.filter(ofStack));
    const servers = new Map<string, Candidate>();
    for (const candidate of members) {
      const winner = winners.get(candidate.stack) ?? candidate;
      if (compareStacks(candidate, winner) !== 0) {
        grouping.skipped.push(caseConflict(candidate, winner));
        continue;
      }
      if (service !== undefined && candidate.serviceName !== service.serviceName) {
        grouping.skipped.push(serviceCaseConflict(candidate, service));
        continue;
      }
      const taken = servers.get(candidate.server.name);
      // The same container listed twice (with the same option labels) is one server.
      if (taken && isSameListing(taken, candidate) && sameWish(taken, candidate)) continue;
      if (taken) grouping.skipped.push(duplicateServer(candidate, taken));
      else servers.set(candidate.server.name, candidate);
    }
    const settled = servers.size > 0 ? [...servers.values()] : heldWishes(heldBy.get(name) ?? [], ofStack);
    if (settled[0] === undefined || (servers.size === 0 && !holdsKeys(settled[0]))) continue;
    grouping.backends.push(settleBackendOptions(name, settled, notes));
    grouping.stackNames.set(name, settled[0].stackName);
  }
  return grouping;
}

// The spelling that wins each lower-cased stack, over all its candidates: its own backend and its path
// backends (`App` without a path and `app` with `path=/api` would otherwise share app.<domain>). A stack
// with no candidate: over its holds (a served spelling always wins over one that only holds a path).
function stackWinners(
  candidates: readonly Candidate[],
  holds: readonly PathHold[],
): Map<string, BackendWish> {
  const winners = new Map<string, BackendWish>();
  const lowest = (wish: BackendWish) => {
    const winner = winners.get(wish.stack);
    if (winner === undefined || compareStacks(wish, winner) < 0) winners.set(wish.stack, wish);
  };
  for (const candidate of candidates) lowest(candidate);
  const served = new Set(winners.keys());
  for (const hold of holds) if (!served.has(hold.stack) && holdsKeys(hold)) lowest(hold);
  return winners;
}

// The holds that keep a backend none of whose containers serves: of its stack's winning spelling, and of
// its service's winning spelling among them (two spellings of a service never share a path backend).
function heldWishes(holds: readonly PathHold[], ofStack: (wish: BackendWish) => boolean): PathHold[] {
  const held = holds.filter(ofStack);
  const service = serviceWinner(held);
  return held
    .filter((hold) => service === undefined || hold.serviceName === service.serviceName)
    .sort(compareHolds);
}

// The spelling that wins a path backend `<stack>.<service>` among the wishes of its winning stack: one
// already in lower case, then the first in code-unit order. Rancher refuses a service name another
// service of its stack has in any case, so two spellings come only from wrong metadata; merged, a
// request for one service's path reached the other's containers. undefined: a stack's own backend,
// which serves every service of the stack whatever their names.
function serviceWinner(wishes: readonly BackendWish[]): BackendWish | undefined {
  let winner: BackendWish | undefined;
  for (const wish of wishes) {
    if (wish.settings.path === undefined) return undefined;
    if (winner === undefined || compareServices(wish, winner) < 0) winner = wish;
  }
  return winner;
}

// The winning service spelling first: a name already in lower case, then code-unit order of the name.
function compareServices(a: BackendWish, b: BackendWish): number {
  if (a.serviceName === b.serviceName) return 0;
  const lowerA = a.serviceName === a.serviceName.toLowerCase() ? 0 : 1;
  const lowerB = b.serviceName === b.serviceName.toLowerCase() ? 0 : 1;
  return lowerA - lowerB || compareStrings(a.serviceName, b.serviceName);
}

// True when a wish keeps keys while it does not serve: a path, or (a stack's backend) `hosts` claims;
// a stack's own host is its own whatever its containers' state (host-owners.ts), so no other is held.
function holdsKeys(wish: BackendWish): boolean {
  return wish.settings.path !== undefined || wish.settings.hosts.length > 0;
}

// The winning stack first: a name already in lower case, then code-unit order of the name, then of the uuid.
function compareStacks(a: BackendWish, b: BackendWish): number {
  // One stack (nearly every comparison: a candidate against its stack's winner, or a backend's members).
  if (a.stackName === b.stackName && a.stackUuid === b.stackUuid) return 0;
  const lowerA = a.stackName === a.stack ? 0 : 1;
  const lowerB = b.stackName === b.stack ? 0 : 1;
  return (
    lowerA - lowerB || compareStrings(a.stackName, b.stackName) || compareStrings(a.stackUuid, b.stackUuid)
  );
}

// Total order of candidates: stack, then the whole server line, then the wishes (compareWishes).
// Whichever wins, the order metadata listed them in never decides.
function compareCandidates(a: Candidate, b: Candidate): number {
  return compareStacks(a, b) || compareServerLines(a.server, b.server) || compareWishes(a, b);
}

// Total order of holds, as of candidates without a server line: whichever container's labels decide a
// held backend's options, the order metadata listed them in never does.
function compareHolds(a: PathHold, b: PathHold): number {
  return compareStacks(a, b) || compareWishes(a, b);
}

// The container's name, then what only twins (one name, one server line) can differ in: the uuid as
// spelled, then the options they ask for and the values that fell back.
function compareWishes(a: BackendWish, b: BackendWish): number {
  return (
    compareStrings(a.ref.container, b.ref.container) ||
    compareStrings(a.ref.uuid ?? "", b.ref.uuid ?? "") ||
    compareStrings(wishOf(a.settings), wishOf(b.settings)) ||
    compareStrings(JSON.stringify(a.settings.server), JSON.stringify(b.settings.server)) ||
    compareStrings(a.warnings.join("\n"), b.warnings.join("\n"))
  );
}

function caseConflict(loser: Candidate, winner: BackendWish): SkippedContainer {
  const same = loser.stackName === winner.stackName;
  return {
    ...loser.ref,
    code: "stack-case-conflict",
    reason: `stack ${stackText(loser, same)} is backend ${loser.backend} once lower-cased, like stack ${stackText(winner, same)}, which wins`,
  };
}

function serviceCaseConflict(loser: Candidate, winner: BackendWish): SkippedContainer {
  return {
    ...loser.ref,
    code: "service-case-conflict",
    reason: `service "${loser.serviceName}" of stack "${loser.stackName}" is backend ${loser.backend} once lower-cased, like service "${winner.serviceName}", which wins`,
  };
}

function duplicateServer(loser: Candidate, winner: Candidate): SkippedContainer {
  return {
    ...loser.ref,
    code: "duplicate-server",
    reason: `server name ${loser.server.name} is already taken in backend ${loser.backend} by container ${winner.ref.container}`,
  };
}
