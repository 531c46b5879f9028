// The skip of a TCP candidate whose stack lost its public port to another (groupTcpBackends).
import type { StackKey } from "./compare-stacks.js";
import type { TcpCandidate } from "./evaluate-tcp-container.js";
import { clipForNote } from "./note-budget.js";
import type { SkippedContainer } from "./routing-table.js";

// A stack as the reasons name it: as spelled, with its uuid when `withUuid` (two stacks spelled alike).
export function stackText(stack: StackKey, withUuid: boolean): string {
  const uuid = withUuid ? ` (uuid ${clipForNote(stack.stackUuid) || "none"})` : "";
  return `"${stack.stackName}"${uuid}`;
}

// `cause`: null when the winner has a container that serves the port; else why none does (heldCause), while
// the port waits for it.
export function portConflict(
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
