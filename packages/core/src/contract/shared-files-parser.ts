// parseSharedFiles for a reader that parses the same files again and again (the reloader, on every
// change). A section of the backends file whose bytes are those of a section of the last accepted file
// keeps its backend without being decoded or read again (align-sections.ts finds them by comparing
// bytes); only the others are decoded and read. The map is not read again while its bytes and the
// backends it names are those of the last accepted parse. The result is always exactly
// parseSharedFiles' own: a section read alone and accepted gives what it gives in its file (a piece
// cut in the wrong place is refused: it must end with a newline, and a byte order mark or NUL byte is
// a problem on any line), the checks that span sections (a backend declared twice) are made on the
// whole list, and anything refused, given as text or not valid UTF-8 is parsed afresh as a whole (its
// problems, line numbers included, are the full parse's). Accepted objects are frozen, because the
// next table shares them.
import { isUtf8 } from "node:buffer";
import { bufferView } from "../bytes/buffer-view.js";
import { alignSections } from "./align-sections.js";
import { MAX_SHARED_BACKENDS, MAX_SHARED_SERVERS, ProblemList } from "./content-lines.js";
import { parseBackends } from "./parse-backends.js";
import { parseDomainMap } from "./parse-domain-map.js";
import { parseSharedFiles, type ParsedFiles, type SharedFiles } from "./parse-shared-files.js";
import { hasBackendNames, type MapEntry, type SharedBackend } from "./shared-table.js";

// The backends file as last accepted: its bytes (a copy), where each section starts, their backends
// (null: no backend, the text before the first section).
interface AcceptedSections {
  bytes: Buffer;
  starts: readonly number[];
  backends: readonly (SharedBackend | null)[];
}

// The map as last accepted: its bytes (a copy), the backend names it was read against (in file order),
// its hosts.
interface AcceptedMap {
  bytes: Buffer;
  names: readonly string[];
  hosts: MapEntry[];
}

// A parser that remembers only its last accepted parse (bounded by the size of those files).
export class SharedFilesParser {
  private sections: AcceptedSections = { bytes: Buffer.alloc(0), starts: [], backends: [] };
  private map: AcceptedMap | null = null;

  // What parseSharedFiles(files) gives.
  parse(files: SharedFiles): ParsedFiles {
    if (typeof files.backends === "string" || typeof files.map === "string") return parseSharedFiles(files);
    const bytes = bufferView(files.backends);
    const mapBytes = bufferView(files.map);
    if (!isUtf8(bytes) || !isUtf8(mapBytes)) return parseSharedFiles(files);
    const last = this.sections;
    const { starts, old } = alignSections(last.bytes, last.starts, bytes);
    const read: (SharedBackend | null)[] = [];
    let servers = 0;
    for (const [index, start] of starts.entries()) {
      const kept = last.backends[old[index] ?? -1];
      const backend =
        kept !== undefined
          ? kept
          : readSection(bytes.toString("utf8", start, starts[index + 1] ?? bytes.length));
      if (backend === undefined) return parseSharedFiles(files);
      read.push(backend);
      // The caps are on the whole file, which no one section sees: past one, the whole parse (which
      // stops at the cap) reports it, before more sections are read.
      servers += backend?.servers.length ?? 0;
      const declared = read.length - (read[0] === null ? 1 : 0); // only the text before the first is null
      if (servers > MAX_SHARED_SERVERS || declared > MAX_SHARED_BACKENDS) return parseSharedFiles(files);
    }
    const backends = read.filter((backend): backend is SharedBackend => backend !== null);
    // The names of the last accepted parse were all different: only a change of names is checked.
    const sameNames =
      read.length === last.backends.length &&
      read.every((backend, index) => backend?.name === last.backends[index]?.name);
    const names = sameNames ? null : new Set(backends.map((backend) => backend.name));
    if (names !== null && names.size !== backends.length) return parseSharedFiles(files);
    const hosts = this.readMap(mapBytes, backends, names);
    if (hosts === null) return parseSharedFiles(files);
    this.sections = { bytes: copyOf(bytes), starts, backends: read };
    return { ok: true, table: { hosts, backends } };
  }

  // The map's hosts against `backends`, or null when the map has a problem; `names` null: the backend
  // names are those of the last accepted parse.
  private readMap(
    bytes: Buffer,
    backends: readonly SharedBackend[],
    names: ReadonlySet<string> | null,
  ): MapEntry[] | null {
    const last = this.map;
    if (last?.bytes.equals(bytes) === true && (names === null || hasBackendNames(last.names, backends)))
      return last.hosts;
    const problems = new ProblemList();
    const declared = names ?? new Set(backends.map((backend) => backend.name));
    const hosts = parseDomainMap(bytes.toString("utf8"), declared, problems);
    if (problems.problems.length > 0) return null;
    for (const host of hosts) Object.freeze(host);
    Object.freeze(hosts);
    this.map = { bytes: copyOf(bytes), names: backends.map((backend) => backend.name), hosts };
    return hosts;
  }
}

// A copy of `bytes` (the caller's buffer may change after the parse).
function copyOf(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

// One section's backend (null: none, the text before the first section), or undefined when the
// section alone has a problem.
function readSection(text: string): SharedBackend | null | undefined {
  const problems = new ProblemList();
  const read = parseBackends(text, problems);
  if (problems.problems.length > 0 || read.length > 1) return undefined;
  const [backend] = read;
  return backend === undefined ? null : freezeBackend(backend);
}

function freezeBackend(backend: SharedBackend): SharedBackend {
  for (const server of backend.servers) Object.freeze(server);
  Object.freeze(backend.servers);
  if (backend.options !== undefined) Object.freeze(backend.options);
  return Object.freeze(backend);
}
