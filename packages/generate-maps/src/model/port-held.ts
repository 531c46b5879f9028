// The note on a public TCP port kept for a stack none of whose containers serves, and why none does.
import { compareStrings, tcpBackendName } from "@rancher-haproxy/core";
import { compareStacks, type StackKey } from "./compare-stacks.js";
import type { TcpClaim } from "./evaluate-tcp-container.js";
import { stackText } from "./port-conflict.js";
import type { RouteNote } from "./routing-table.js";

// The skips that lifecycle states cause (a deploy goes through them), not mistakes in labels or addresses.
const LIFECYCLE_CODES: ReadonlySet<string> = new Set(["no-ip", "not-running", "unhealthy"]);

// Why `owner`'s containers claiming the port do not serve, from their skip codes (sorted, each once):
// `down or redeploying: not-running` when lifecycle states alone, else `skipped as proxy-invalid, …`.
export function heldCause(claims: readonly TcpClaim[] | undefined, owner: StackKey): string {
  const codes = new Set<string>();
  for (const claim of claims ?? []) if (compareStacks(claim, owner) === 0) codes.add(claim.code);
  const list = [...codes].sort(compareStrings).join(", ");
  return [...codes].every((code) => LIFECYCLE_CODES.has(code))
    ? `down or redeploying: ${list}`
    : `skipped as ${list}`;
}

// The note on a port kept for `owner` while none of its containers serves (`cause`): it closes connections.
export function portHeld(owner: StackKey, port: number, cause: string): RouteNote {
  return {
    backend: tcpBackendName(port),
    container: null,
    code: "tcp-port-held",
    reason: `public TCP port ${port} is kept for stack ${stackText(owner, false)}, none of whose containers labelled for it serves (${cause}): the port closes connections until one does`,
  };
}
