// The contract check SnapshotStore.validate runs on the inputs before anything is staged, with the one
// problem its reason names; then the backends a section of the base config already names are left out
// (backend-clashes.ts), and the cap on the server slots the table would be rendered into is checked.
import type { Logger, SharedFilesParser, SharedTable } from "@rancher-haproxy/core";
import { slotBoundProblem } from "../model/slot-bound.js";
import type { BackendClashes } from "./backend-clashes.js";
import { checkInputs, type InputProblem } from "../model/validate-inputs.js";
import type { InputFiles } from "../sources/read-inputs.js";

// The inputs' table, or why they break the contract (`unsettled`: only a map ahead of its backends);
// `written`: the table as the files hold it, before the clash filter (the stale-map report's).
export type Validated =
  | { ok: true; table: SharedTable; written?: SharedTable }
  | { ok: false; reason: string; unsettled?: boolean };

// The contract check of the inputs through the store's `parser`, logged when they are rejected; the
// table without the backends `clashes` leaves out, reported only once the table is taken (staged:
// snapshot-store.ts; null: files that are not the inputs, the start's empty routing, which names no
// backend and must not report the inputs' clashes over); a table that needs more server slots than
// MAX_TOTAL_SLOTS at `block` (SERVER_SLOTS), counted without those, is rejected the same way, before any
// slot is assigned.
export function validateContract(
  files: InputFiles,
  parser: SharedFilesParser,
  logger: Logger,
  block: number,
  clashes: BackendClashes | null,
): Validated {
  const checked = checkInputs(files, (shared) => parser.parse(shared));
  const table =
    checked.table === null || clashes === null ? checked.table : clashes.filter(files.base, checked.table);
  const tooMany = table === null ? null : slotBoundProblem(table.backends, block);
  const problems: InputProblem[] =
    tooMany === null ? checked.problems : [{ file: "backends", line: null, text: null, reason: tooMany }];
  if (problems.length > 0 && problems.every((problem) => problem.kind === "unsettled")) {
    const reason = `not settled yet: ${describeProblem(problems[0], files.paths)} (the generator is between its writes?)`;
    return { ok: false, reason, unsettled: true };
  }
  if (table !== null && checked.table !== null && tooMany === null)
    return { ok: true, table, written: checked.table };
  // The reason names a line wrong in itself, not one of the keys that only wait for their backend.
  const shown = problems.find((problem) => problem.kind !== "unsettled") ?? problems[0];
  const what = tooMany === null ? "break the generated-file contract" : "need too many server slots";
  logger.error(
    { event: "inputs.rejected", problems },
    `the input files ${what}: keeping the running config (${describeProblem(shown, files.paths)})`,
  );
  return { ok: false, reason: `inputs rejected: ${describeProblem(shown, files.paths)}` };
}

// "<file>:<line> <reason>": the file by the path it was read from when known (`/data/domain.map:3 ...`,
// what the user has to fix), else by its role (`map`, `backends`, `base`); every refusal of the inputs
// names its file so (the slot cap's too, snapshot-store.ts).
export function describeProblem(problem: InputProblem | undefined, paths: InputFiles["paths"]): string {
  if (!problem) return "";
  const file = problem.file === "base" ? "base" : (paths?.[problem.file] ?? problem.file);
  return `${file}${problem.line === null ? "" : `:${problem.line}`} ${problem.reason}`;
}
