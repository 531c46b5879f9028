// The reloader's own check of the generated files against the shared-file contract (@rancher-haproxy/core
// parseSharedFiles, DESIGN.md "Files"), before any byte of them reaches `haproxy -c`: haproxy -c accepts
// an injected section and a map value naming no backend. Pure and total: nothing throws.
import {
  decodeText,
  MAX_PROBLEMS,
  parseSharedFiles,
  type FileProblem,
  type ParsedFiles,
  type SharedFiles,
  type SharedTable,
} from "@rancher-haproxy/core";
import type { InputFiles } from "../sources/read-inputs.js";

// One reason to reject the inputs; `line` is 1-based (null: the whole file).
export type InputProblem = Omit<FileProblem, "file"> & { file: FileProblem["file"] | "base" };

// Problems of the triple (empty: acceptable), at most MAX_PROBLEMS. The base config is the user's or
// ours: only its encoding is checked; the two shared files must parse under the contract.
export function validateInputs(files: Pick<InputFiles, "base" | "backends" | "map">): InputProblem[] {
  return checkInputs(files).problems;
}

// The problems and, when there are none, the table the shared files hold. (A server name used twice in
// a backend, which `haproxy -c` would not see once servers are renamed to slots, is the contract's to
// refuse, at its line: until 2026-12-05 this check did it after the parse, so the generator's union step,
// reading the old file with the same contract, kept such a block in a file the reloader refused.)
// `parse`: parseSharedFiles or what gives exactly its result (a SharedFilesParser's parse).
export function checkInputs(
  files: Pick<InputFiles, "base" | "backends" | "map">,
  parse: (files: SharedFiles) => ParsedFiles = parseSharedFiles,
): {
  problems: InputProblem[];
  table: SharedTable | null;
} {
  const problems: InputProblem[] = [];
  const base = decodeText(files.base);
  if (typeof base !== "string") problems.push({ file: "base", line: null, text: null, reason: base.reason });
  const parsed = parse(files);
  if (!parsed.ok) problems.push(...parsed.problems);
  const table = problems.length === 0 && parsed.ok ? parsed.table : null;
  return { problems: problems.slice(0, MAX_PROBLEMS), table };
}
