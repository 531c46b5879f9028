// The shape of one row of the option table, and how a row's default and description are read for one
// of the two programs.
import type { ValueType } from "./value-type.js";

// The two programs that read the table.
export const PROGRAMS = ["generate-maps", "reloader"] as const;
export type Program = (typeof PROGRAMS)[number];

// A setting that may differ between the programs (e.g. STATUS_PORT's default).
export type PerProgram<T> = T | Readonly<Record<Program, T>>;

// One option: `--flag` (plus older spellings in `aliases`), the variable that sets it when the flag
// is absent, the value type, the default (text, parsed like a user's value; null: none), the help
// text and which programs read it.
export interface OptionRow<T = unknown> {
  flag: string;
  aliases?: readonly string[];
  env: string | null;
  type: ValueType<T>;
  default: PerProgram<string> | null;
  describe: PerProgram<string>;
  programs: readonly Program[];
  /** never show the value in an error message */
  secret?: boolean;
  /** the option must be given: an example value for the error message */
  required?: string;
}

function forProgram<T>(value: PerProgram<T>, program: Program): T {
  return typeof value === "object" && value !== null && program in value
    ? (value as Readonly<Record<Program, T>>)[program]
    : (value as T);
}

// The row's default text for `program` (null: none).
export function defaultFor(row: OptionRow, program: Program): string | null {
  return row.default === null ? null : forProgram(row.default, program);
}

// The row's help text for `program`.
export function describeFor(row: OptionRow, program: Program): string {
  return forProgram(row.describe, program);
}
