// Raw flags + environment → the typed value of every option a program reads, validated once. A flag
// wins over its variable; an empty (or all-blank) variable counts as unset; then the default applies.
import { defaultFor, type OptionRow, type Program } from "./option-row.js";
import { optionRowsOf, OPTION_TABLE, type OptionId, type OptionValue } from "./option-table.js";
import { OptionsError } from "./options-error.js";
import type { RawFlags } from "./read-command-line.js";
import { parseValue } from "./value-type.js";

// The validated values of one program, typed by row id, and where each came from.
export class OptionValues {
  constructor(
    private readonly program: Program,
    private readonly values: ReadonlyMap<OptionId, { value: unknown; source: string }>,
  ) {}

  // The value of row `id` (a row the program does not read is a programming error).
  get<K extends OptionId>(id: K): OptionValue<K> {
    const entry = this.values.get(id);
    if (entry === undefined) throw new Error(`${this.program} does not read option ${id}`);
    return entry.value as OptionValue<K>;
  }

  // Where the value came from: `--flag`, the variable's name, or `--flag default`.
  sourceOf(id: OptionId): string {
    return this.values.get(id)?.source ?? `--${OPTION_TABLE[id].flag}`;
  }

  // How a rule between options names this one: `--flag` when the command line gave it, else its variable
  // (set or left to the default), so a clash of flags names the flags, not variables never set.
  nameOf(id: OptionId): string {
    const flag = `--${OPTION_TABLE[id].flag}`;
    return this.sourceOf(id) === flag ? flag : (OPTION_TABLE[id].env ?? flag);
  }
}

// Validates every option of `program`; throws one OptionsError listing every bad value.
export function resolveOptionValues(program: Program, flags: RawFlags, env: NodeJS.ProcessEnv): OptionValues {
  const problems: string[] = [];
  const values = new Map<OptionId, { value: unknown; source: string }>();
  for (const [id, row] of optionRowsOf(program)) {
    const raw = rawText(row, program, flags, env);
    if (raw === null) {
      if (row.required !== undefined && row.env !== null)
        problems.push(
          `${row.env} is required: set ${row.env} (or pass --${row.flag}), e.g. ${row.env}=${row.required}`,
        );
      values.set(id, { value: null, source: `--${row.flag}` });
      continue;
    }
    const parsed = parseValue(row.type, raw.text);
    if (parsed.ok) values.set(id, { value: parsed.value, source: raw.source });
    else {
      const shown = row.secret === true ? "(value not shown)" : JSON.stringify(raw.text.trim());
      problems.push(`invalid ${raw.source} ${shown}: ${parsed.reason}`);
    }
  }
  if (problems.length > 0) throw new OptionsError(problems);
  return new OptionValues(program, values);
}

function rawText(
  row: OptionRow,
  program: Program,
  flags: RawFlags,
  env: NodeJS.ProcessEnv,
): { text: string; source: string } | null {
  const flag = flags[row.flag];
  if (flag !== undefined) return { text: flag, source: `--${row.flag}` };
  const variable = row.env === null ? undefined : env[row.env];
  if (row.env !== null && variable !== undefined && variable.trim() !== "")
    return { text: variable, source: row.env };
  const fallback = defaultFor(row, program);
  return fallback === null ? null : { text: fallback, source: `--${row.flag} default` };
}
