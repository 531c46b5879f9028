// The reading side of the contract: both files in, the SharedTable they hold or every problem (at most
// MAX_PROBLEMS, or the limit a caller asks for) with its line. Pure and total: never throws, work
// bounded by the input's size.
import { MAX_PROBLEMS, ProblemList } from "./content-lines.js";
import { decodeText } from "./decode-text.js";
import { parseBackends } from "./parse-backends.js";
import { parseDomainMap } from "./parse-domain-map.js";
import type { FileProblem, SharedTable } from "./shared-table.js";

// The contents of both files, as bytes read from the volume or as text.
export interface SharedFiles {
  backends: string | Uint8Array;
  map: string | Uint8Array;
}

// The table, or why the files break the contract.
export type ParsedFiles = { ok: true; table: SharedTable } | { ok: false; problems: FileProblem[] };

// Decodes both files, then reads the backends, then the map against the backends it declares (only
// when both decode: a map is judged against the backends that are really there). `maxProblems`: how many
// problems the parse lists before it stops (the generator's salvage of an old backends file needs every
// refused line of a block, not the first 20); the work stays bounded by the input's size either way.
export function parseSharedFiles(files: SharedFiles, maxProblems = MAX_PROBLEMS): ParsedFiles {
  const problems = new ProblemList(maxProblems);
  const backendsText = asText(files.backends, "backends", problems);
  const mapText = asText(files.map, "map", problems);
  const backends = backendsText === null ? [] : parseBackends(backendsText, problems);
  const declared = new Set(backends.map((backend) => backend.name));
  const hosts = backendsText === null || mapText === null ? [] : parseDomainMap(mapText, declared, problems);
  if (problems.problems.length > 0) return { ok: false, problems: problems.problems };
  return { ok: true, table: { hosts, backends } };
}

function asText(
  content: string | Uint8Array,
  file: FileProblem["file"],
  problems: ProblemList,
): string | null {
  const text = typeof content === "string" ? content : decodeText(content);
  if (typeof text === "string") return text;
  problems.add({ file, line: null, text: null, reason: text.reason });
  return null;
}
