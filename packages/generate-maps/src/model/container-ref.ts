import { describeValue } from "./describe-value.js";
import { clipForNote } from "./note-budget.js";
import type { ContainerRef, Server } from "./routing-table.js";

// How a container is named in logs: its name, else its uuid, cut at 200 characters (clipForNote): the label
// goes into each of its notes and every skip that names it, and 120 containers of 500 kB names with 21
// notes each made /routes throw (`Invalid string length`, 2.8 GB of RSS); the stack as metadata spells it.
export function containerRef(container: Record<string, unknown>): ContainerRef {
  const name = container.name;
  const uuid = container.uuid;
  const stack = container.stack_name;
  let label = "(unnamed)";
  if (typeof name === "string" && name !== "") label = clipForNote(name);
  else if (typeof uuid === "string" && uuid !== "") label = clipForNote(uuid);
  else if (name !== undefined && name !== null && name !== "") label = describeValue(name);
  return {
    container: label,
    uuid: typeof uuid === "string" ? uuid : null,
    stack: typeof stack === "string" ? stack : null,
  };
}

// Whether two candidates are one container listed twice (Rancher 1.2-pre listed network-from sidekicks
// twice): its name, uuid as spelled, address and port the same. Such a pair is one server, not a
// duplicate skipped against itself.
export function isSameListing(
  a: { ref: ContainerRef; server: Pick<Server, "address" | "port"> },
  b: { ref: ContainerRef; server: Pick<Server, "address" | "port"> },
): boolean {
  return (
    a.ref.container === b.ref.container &&
    a.ref.uuid === b.ref.uuid &&
    a.server.address === b.server.address &&
    a.server.port === b.server.port
  );
}
