// The order of a cycle's writes, so that every state on disk between two renames is consistent: the map
// never names a backend the backends file does not declare. Additions: backends first. Removals: map
// first. Both at once: a union step (old ∪ new backends), then the map, then the final backends.
import { Buffer } from "node:buffer";
import {
  eachLine,
  MAX_SHARED_BACKENDS,
  MAX_SHARED_FILE_BYTES,
  MAX_SHARED_SERVERS,
  parseSharedFiles,
  joinBackendBlocks,
  renderBackendBlock,
  type SharedBackend,
} from "@rancher-haproxy/core";
import { salvageBackends } from "./salvage-backends.js";

/**
 * the most bytes of the union step's backends file: the contract's MAX_SHARED_FILE_BYTES (64 MiB), past
 * which the reloader does not read an input. The new file stays under half of it (MAX_BACKENDS_BYTES),
 * but the old one is read up to twice the new size plus 1 MiB (oldOutputCap): a file an older generator
 * wrote, or one edited on the volume, took the union past it.
 */
export const MAX_UNION_BYTES = MAX_SHARED_FILE_BYTES;

// One write of the plan: which file, with which bytes.
export interface WriteStep {
  file: "backends" | "map";
  content: string;
}

// The bytes of both files: what the cycle wants, and what is on disk (null: absent or not readable).
export interface FilePair<T> {
  backends: T;
  map: T;
}

// What is known of an old file the cycle did not read (over the read cap): the old map's names are not
// (any may be routed), the old backends file's are when scanDeclaredNames could read them.
export interface UnreadFiles {
  map?: boolean;
  backendNames?: ReadonlySet<string>;
}

// The backends the wanted backends file is made of, and each one's block as that file holds it (the
// cycle's table and the blocks renderFiles joined): with them the union step neither parses the file it
// was given nor renders its blocks again (at 100 000 servers, ≈ 1 s of parsing a cycle that removes and
// adds backends at once).
export interface RenderedBackends {
  readonly backends: readonly SharedBackend[];
  blockOf(backend: SharedBackend): string;
}

// Plans the writes from the files on disk to the wanted ones; steps that change nothing are left out.
// A file absent from the disk counts as empty; one there but not read, as `unread` says. `rendered`,
// when given, is what `next.backends` was rendered from.
export function planWrites(
  next: FilePair<string>,
  current: FilePair<string | null>,
  unread: UnreadFiles = {},
  rendered?: RenderedBackends,
): WriteStep[] {
  const declaredNext = declaredBackends(next.backends);
  // The old backends file unread, but its names scanned: only the names are known.
  const namesOnly = current.backends === null ? unread.backendNames : undefined;
  const declaredNow = namesOnly ?? declaredBackends(current.backends ?? "");
  const namedNow = mapBackends(current.map ?? "");
  const namedNext = mapBackends(next.map);
  const backends: WriteStep = { file: "backends", content: next.backends };
  const map: WriteStep = { file: "map", content: next.map };
  // The old map, unread, may name any old backend: the new backends may go first only if they drop none.
  const backendsFirst =
    current.map === null && unread.map === true
      ? isSubset(declaredNow, declaredNext) && (current.backends !== null || namesOnly !== undefined)
      : isSubset(namedNow, declaredNext);
  let steps: WriteStep[];
  // (When the wanted files themselves disagree, which the renderers never produce, no order can help.)
  if (backendsFirst || !isSubset(namedNext, declaredNext)) steps = [backends, map];
  else if (isSubset(namedNext, declaredNow)) steps = [map, backends];
  else if (namesOnly) {
    // The old blocks were not read (only their names), so no union: first the new map without the hosts
    // of backends the old file does not declare yet, then the backends, then the whole map. (A host
    // moving to a new backend is unrouted between the first and the last rename.)
    const partial = mapRoutingTo(next.map, declaredNow);
    steps = [{ file: "map", content: partial }, backends, map];
  } else {
    const union = unionBackends(current.backends ?? "", next.backends, declaredNext, namedNow, rendered);
    steps = [{ file: "backends", content: union }, map, backends];
  }
  const onDisk = { ...current };
  return steps.filter((step) => {
    if (onDisk[step.file] === step.content) return false;
    onDisk[step.file] = step.content;
    return true;
  });
}

// A `backend <name>` line (its name in group 1).
export const BACKEND_HEADER = /^backend\s+(\S+)\s*$/;

// The backend names a backends file declares (`backend <name>` lines).
export function declaredBackends(text: string): Set<string> {
  const names = new Set<string>();
  // Only the lines that start with "backend" can match: the others (most: server lines) skip the regex.
  for (let start = 0; start < text.length;) {
    const end = text.indexOf("\n", start);
    const stop = end === -1 ? text.length : end;
    if (text.startsWith("backend", start)) {
      const match = BACKEND_HEADER.exec(text.slice(start, stop));
      if (match?.[1] !== undefined) names.add(match[1]);
    }
    start = stop + 1;
  }
  return names;
}

// The backend names a domain.map routes to (the second field of each line), line by line.
export function mapBackends(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of eachLine(text)) {
    if (line === "") continue;
    const backend = mapLineBackend(line);
    if (backend !== undefined) names.add(backend);
  }
  return names;
}

// The second whitespace-separated field of a line.
const SECOND_FIELD = /^\s*\S+\s+(\S+)/;

// The backend a map line routes to (its second field); undefined for a comment or a line of one field.
// Matched, not split: the old map is untrusted, and one long line of words split whole cost ≈ 14 bytes
// of heap per byte (found by a review).
function mapLineBackend(line: string): string | undefined {
  return line.trimStart().startsWith("#") ? undefined : SECOND_FIELD.exec(line)?.[1];
}

// The lines of `map` that route to a backend in `declared` (comments and blank lines kept).
function mapRoutingTo(map: string, declared: ReadonlySet<string>): string {
  let kept = "";
  for (const line of eachLine(map)) {
    const backend = mapLineBackend(line);
    if (backend === undefined || declared.has(backend)) kept += `${line}\n`;
  }
  return map.endsWith("\n") ? kept : kept.slice(0, -1);
}

// The wanted backends plus the blocks of the current file that are about to go, re-validated line by line
// (this file is in the shared volume: only well-formed names, addresses, ports and options are kept).
// Old blocks that would take the union past the contract's count caps or past MAX_UNION_BYTES are left
// out: the reloader refuses a file over MAX_SHARED_SERVERS or MAX_SHARED_BACKENDS whole
// (`inputs.rejected`, a check failure, /healthz 503) and does not read one over 64 MiB, while a map
// routing to a left-out block is a state it waits out as not settled (old and new at the caps' scale: a
// write replacing most of 250 000 containers' backends, or an old file larger than this generator writes).
// The blocks the old map routes to (`routed`; none when it was not read, nor a tcp_<port> block) take
// the room first, then the others, each in file order: until 2026-12-05 file order alone let blocks no
// host routes to crowd out routed ones, making that state one the reloader waits out when a union of
// the routed ones fitted.
function unionBackends(
  currentText: string,
  nextText: string,
  declaredNext: ReadonlySet<string>,
  routed: ReadonlySet<string>,
  rendered: RenderedBackends | undefined,
): string {
  const next = rendered?.backends ?? parseBackends(nextText);
  let servers = next.reduce((sum, backend) => sum + backend.servers.length, 0);
  let count = next.length;
  // Each block rendered once: its bytes count here, and the union is made of the same blocks.
  const blocks = new Map<SharedBackend, string>();
  if (rendered !== undefined) for (const backend of next) blocks.set(backend, rendered.blockOf(backend));
  const blockOf = (backend: SharedBackend) => {
    let block = blocks.get(backend);
    if (block === undefined) blocks.set(backend, (block = renderBackendBlock(backend)));
    return block;
  };
  // renderBackends: the header line, then each block after a blank line; the new file is that render
  let bytes = Buffer.byteLength(joinBackendBlocks(next, blockOf));
  const merged = new Map<string, SharedBackend>();
  const old = parseBackends(currentText).filter((backend) => !declaredNext.has(backend.name));
  const byRoute = [...old.filter((b) => routed.has(b.name)), ...old.filter((b) => !routed.has(b.name))];
  for (const backend of byRoute) {
    if (merged.has(backend.name)) continue;
    if (count + 1 > MAX_SHARED_BACKENDS || servers + backend.servers.length > MAX_SHARED_SERVERS) continue;
    const blockBytes = Buffer.byteLength(blockOf(backend)) + 1;
    if (bytes + blockBytes > MAX_UNION_BYTES) continue;
    merged.set(backend.name, backend);
    count += 1;
    servers += backend.servers.length;
    bytes += blockBytes;
  }
  for (const backend of next) merged.set(backend.name, backend);
  return joinBackendBlocks([...merged.values()], blockOf);
}

// The backends of a file: all of them with their options when the contract accepts it; else the blocks
// it accepts read one by one (salvageBackends), each with its options and servers. Every name the
// contract allows is kept (a stack, `<stack>.<service>`, `tcp_<port>` in mode tcp): the old map may route
// to any of them, and the union step must still declare it (a path backend dropped here made that step a
// map naming a missing backend, which the reloader reports as not settled).
function parseBackends(text: string): SharedBackend[] {
  const parsed = parseSharedFiles({ backends: text, map: "" });
  return parsed.ok ? parsed.table.backends : salvageBackends(text);
}

function isSubset(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
