// Step 2 of the model: candidates become backends, settling stacks that collide once lower-cased (across
// all their backends) and servers that collide by name, deterministically whatever order metadata listed them in.
import { compareStrings } from "@rancher-haproxy/core";
import { settleBackendOptions } from "./settle-backend-options.js";
import type { Candidate } from "./evaluate-container.js";
import { compareServerLines } from "./compare-server-lines.js";
import { isSameListing } from "./container-ref.js";
import { groupBy } from "./group-by.js";
import type { NoteBudget } from "./note-budget.js";
import type { Backend, SkippedContainer } from "./routing-table.js";

// Backends sorted by name with servers sorted by name, and the candidates that lost a collision.
export interface Grouping {
  backends: Backend[];
  skipped: SkippedContainer[];
}

// Groups candidates by backend; per lower-cased stack one spelling wins (see compareStacks) and each server name is
// used once; the notes on options (fallbacks, disagreements) go to `notes`.
export function groupBackends(candidates: readonly Candidate[], notes: NoteBudget): Grouping {
  const winners = stackWinners(candidates);
  const byBackend = groupBy(candidates, (candidate) => candidate.backend);
  const grouping: Grouping = { backends: [], skipped: [] };
  for (const name of [...byBackend.keys()].sort(compareStrings)) {
    const members = [...(byBackend.get(name) ?? [])].sort(compareCandidates);
    const servers = new Map<string, Candidate>();
    for (const candidate of members) {
      const winner = winners.get(candidate.stack) ?? candidate;
      if (compareStacks(candidate, winner) !== 0) {
        grouping.skipped.push(caseConflict(candidate, winner));
        continue;
      }
      const taken = servers.get(candidate.server.name);
      // The same container listed twice (with the same option labels) is one server.
      if (taken && isSameListing(taken, candidate) && taken.wish === candidate.wish) continue;
      if (taken) grouping.skipped.push(duplicateServer(candidate, taken));
      else servers.set(candidate.server.name, candidate);
    }
    if (servers.size > 0) grouping.backends.push(settleBackendOptions(name, [...servers.values()], notes));
  }
  return grouping;
}

// The spelling that wins each lower-cased stack, over all its candidates: its own backend and its path
// backends (`App` without a path and `app` with `path=/api` would otherwise share app.<domain>).
function stackWinners(candidates: readonly Candidate[]): Map<string, Candidate> {
  const winners = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const winner = winners.get(candidate.stack);
    if (winner === undefined || compareStacks(candidate, winner) < 0) winners.set(candidate.stack, candidate);
  }
  return winners;
}

// The winning stack first: a name already in lower case, then code-unit order of the name, then of the uuid.
function compareStacks(a: Candidate, b: Candidate): number {
  // One stack (nearly every comparison: a candidate against its stack's winner, or a backend's members).
  if (a.stackName === b.stackName && a.stackUuid === b.stackUuid) return 0;
  const lowerA = a.stackName === a.stack ? 0 : 1;
  const lowerB = b.stackName === b.stack ? 0 : 1;
  return (
    lowerA - lowerB || compareStrings(a.stackName, b.stackName) || compareStrings(a.stackUuid, b.stackUuid)
  );
}

// Total order of candidates: stack, then the whole server line, then the container's name, then what
// only twins (one name, one server line) can differ in: the uuid as spelled, then the options they ask
// for and the values that fell back. Whichever wins, the order metadata listed them in never decides.
function compareCandidates(a: Candidate, b: Candidate): number {
  return (
    compareStacks(a, b) ||
    compareServerLines(a.server, b.server) ||
    compareStrings(a.ref.container, b.ref.container) ||
    compareStrings(a.ref.uuid ?? "", b.ref.uuid ?? "") ||
    compareStrings(a.wish, b.wish) ||
    compareStrings(JSON.stringify(a.settings.server), JSON.stringify(b.settings.server)) ||
    compareStrings(a.warnings.join("\n"), b.warnings.join("\n"))
  );
}

function caseConflict(loser: Candidate, winner: Candidate): SkippedContainer {
  const same = loser.stackName === winner.stackName;
  const loserName = same
    ? `"${loser.stackName}" (uuid ${loser.stackUuid || "none"})`
    : `"${loser.stackName}"`;
  const winnerName = same
    ? `"${winner.stackName}" (uuid ${winner.stackUuid || "none"})`
    : `"${winner.stackName}"`;
  return {
    ...loser.ref,
    code: "stack-case-conflict",
    reason: `stack ${loserName} is backend ${loser.backend} once lower-cased, like stack ${winnerName}, which wins`,
  };
}

function duplicateServer(loser: Candidate, winner: Candidate): SkippedContainer {
  return {
    ...loser.ref,
    code: "duplicate-server",
    reason: `server name ${loser.server.name} is already taken in backend ${loser.backend} by container ${winner.ref.container}`,
  };
}
