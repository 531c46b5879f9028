// parseSharedFiles for a reader that parses the same files again and again (the reloader, on every
// change): the backends file is cut into sections by text, and a section whose exact text the last
// accepted parse read is not read again; the map is not read again while its text and the backends it
// names are those of the last accepted parse. The result is always exactly parseSharedFiles' own: a
// section read alone and accepted gives what it gives in its file, the checks that span sections (a
// backend declared twice) are made on the whole list, and anything refused is parsed afresh as a whole
// (its problems, line numbers included, are the full parse's). Accepted objects are frozen, because the
// next table shares them.
import { ProblemList } from "./content-lines.js";
import { decodeText } from "./decode-text.js";
import { parseBackends } from "./parse-backends.js";
import { parseDomainMap } from "./parse-domain-map.js";
import { parseSharedFiles, type ParsedFiles, type SharedFiles } from "./parse-shared-files.js";
import { hasBackendNames, type MapEntry, type SharedBackend } from "./shared-table.js";

// The map as last accepted: its text, the backend names it was read against (in file order), its hosts.
interface AcceptedMap {
  text: string;
  names: readonly string[];
  hosts: MapEntry[];
}

// The backends file as last accepted: its sections' texts and their backends (null: no backend).
interface AcceptedSections {
  texts: readonly string[];
  backends: readonly (SharedBackend | null)[];
}

// A parser that remembers only its last accepted parse (bounded by the size of those files).
export class SharedFilesParser {
  private sections: AcceptedSections = { texts: [], backends: [] };
  private map: AcceptedMap | null = null;

  // What parseSharedFiles(files) gives.
  parse(files: SharedFiles): ParsedFiles {
    const backendsText = typeof files.backends === "string" ? files.backends : decodeText(files.backends);
    const mapText = typeof files.map === "string" ? files.map : decodeText(files.map);
    if (typeof backendsText !== "string" || typeof mapText !== "string") return parseSharedFiles(files);
    const texts = splitSections(backendsText);
    const last = this.sections;
    // Sections added or removed shift the ones after them: those are looked for that far away.
    const shift = last.texts.length - texts.length;
    // Whether the backend names are those of the last accepted parse, in the same order.
    let sameNames = texts.length === last.texts.length;
    const read: (SharedBackend | null)[] = [];
    for (const [index, text] of texts.entries()) {
      const backend =
        text === last.texts[index]
          ? last.backends[index]
          : text === last.texts[index + shift]
            ? last.backends[index + shift]
            : readSection(text);
      if (backend === undefined) return parseSharedFiles(files);
      if (sameNames && backend?.name !== last.backends[index]?.name) sameNames = false;
      read.push(backend);
    }
    const backends = read.filter((backend): backend is SharedBackend => backend !== null);
    // The names of the last accepted parse were all different; others are checked here.
    const names = sameNames ? null : new Set(backends.map((backend) => backend.name));
    if (names !== null && names.size !== backends.length) return parseSharedFiles(files);
    const hosts = this.readMap(mapText, backends, names);
    if (hosts === null) return parseSharedFiles(files);
    this.sections = { texts, backends: read };
    return { ok: true, table: { hosts, backends } };
  }

  // The map's hosts against `backends`, or null when the map has a problem; `names` null: the backend
  // names are those of the last accepted parse.
  private readMap(
    text: string,
    backends: readonly SharedBackend[],
    names: ReadonlySet<string> | null,
  ): MapEntry[] | null {
    const last = this.map;
    if (last !== null && last.text === text && (names === null || hasBackendNames(last.names, backends)))
      return last.hosts;
    const problems = new ProblemList();
    const hosts = parseDomainMap(text, names ?? new Set(backends.map((backend) => backend.name)), problems);
    if (problems.problems.length > 0) return null;
    for (const host of hosts) Object.freeze(host);
    Object.freeze(hosts);
    this.map = { text, names: backends.map((backend) => backend.name), hosts };
    return hosts;
  }
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

// The backends text cut before every line that opens a section for parseBackends (a line that is not
// blank, not indented and not a comment); the first piece is what precedes the first section.
export function splitSections(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let at = 0; at < text.length;) {
    if (at > start && opensSection(text.charCodeAt(at))) {
      pieces.push(text.slice(start, at));
      start = at;
    }
    const end = text.indexOf("\n", at);
    at = end === -1 ? text.length : end + 1;
  }
  pieces.push(text.slice(start));
  return pieces;
}

// Whether a line starting with this character is a section header (or a problem) in parseBackends.
function opensSection(code: number): boolean {
  return code !== 0x20 && code !== 0x09 && code !== 0x23 && code !== 0x0a;
}

function freezeBackend(backend: SharedBackend): SharedBackend {
  for (const server of backend.servers) Object.freeze(server);
  Object.freeze(backend.servers);
  if (backend.options !== undefined) Object.freeze(backend.options);
  return Object.freeze(backend);
}
