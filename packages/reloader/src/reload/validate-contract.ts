// The contract check SnapshotStore.validate runs on the inputs before anything is staged, with the one
// problem its reason names.
import type { Logger, SharedFilesParser, SharedTable } from "@rancher-haproxy/core";
import { checkInputs, type InputProblem } from "../model/validate-inputs.js";
import type { InputFiles } from "../sources/read-inputs.js";

// The inputs' table, or why they break the contract (`unsettled`: only a map ahead of its backends).
export type Validated = { ok: true; table: SharedTable } | { ok: false; reason: string; unsettled?: boolean };

// The contract check of the inputs through the store's `parser`, logged when they are rejected.
export function validateContract(files: InputFiles, parser: SharedFilesParser, logger: Logger): Validated {
  const { problems, table } = checkInputs(files, (shared) => parser.parse(shared));
  if (problems.length > 0 && problems.every((problem) => problem.kind === "unsettled")) {
    const reason = `not settled yet: ${describe(problems[0], files.paths)} (the generator is between its writes?)`;
    return { ok: false, reason, unsettled: true };
  }
  if (table !== null) return { ok: true, table };
  // The reason names a line wrong in itself, not one of the keys that only wait for their backend.
  const shown = problems.find((problem) => problem.kind !== "unsettled") ?? problems[0];
  logger.error(
    { event: "inputs.rejected", problems },
    `the input files break the generated-file contract: keeping the running config (${describe(shown, files.paths)})`,
  );
  return { ok: false, reason: `inputs rejected: ${describe(shown, files.paths)}` };
}

// "<file>:<line> <reason>": the file by the path it was read from when known (`/data/domain.map:3 ...`,
// what the user has to fix), else by its role (`map`, `backends`, `base`).
function describe(problem: InputProblem | undefined, paths: InputFiles["paths"]): string {
  if (!problem) return "";
  const file = problem.file === "base" ? "base" : (paths?.[problem.file] ?? problem.file);
  return `${file}${problem.line === null ? "" : `:${problem.line}`} ${problem.reason}`;
}
