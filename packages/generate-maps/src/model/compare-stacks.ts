// The order in which stacks claiming one public TCP port win it (groupTcpBackends).
import { compareStrings } from "@rancher-haproxy/core";
import { compareServerLines } from "./compare-server-lines.js";
import type { TcpCandidate, TcpClaim } from "./evaluate-tcp-container.js";

// The stack of a candidate or of a claim, as the port's winner is chosen.
export type StackKey = Pick<TcpClaim, "stack" | "stackName" | "stackUuid">;

// The winning stack first: the lowest lower-cased name; within one, the spelling already in lower case, as
// for HTTP (group-backends.ts), then as metadata spells it, then its uuid. Until 2026-12-05 the first as
// spelled won (`App` before `app`): app.<domain> served stack app while its port served App.
export function compareStacks(a: StackKey, b: StackKey): number {
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
export function compareCandidates(a: TcpCandidate, b: TcpCandidate): number {
  return (
    compareStacks(a.identity, b.identity) ||
    compareServerLines(a.server, b.server) ||
    compareStrings(a.ref.container, b.ref.container) ||
    compareStrings(a.ref.uuid ?? "", b.ref.uuid ?? "")
  );
}
