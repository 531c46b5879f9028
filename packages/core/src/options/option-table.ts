// THE option table of both programs: every flag, its environment variable, value type, default, help
// text and which program reads it. The command lines (--help included), the validation and the
// Markdown option tables (`npm run docs:options`) are all built from it.
//
// To add an option:
//   1. Add a row to shared-option-rows.ts (both programs), generate-maps-option-rows.ts or
//      reloader-option-rows.ts, under a camelCase id:
//        maxConn: row("maxconn", "MAXCONN", integerType(1, 1_000_000), "4096", "HAProxy's global maxconn"),
//      (the shared and generate-maps files spell rows out: { flag, env, type, default, describe,
//      programs }). Pick a value type from value-types.ts or network-types.ts, or make one there with
//      checkedType(name, accepts, parse) or patternType(name, accepts, regex). The default is text,
//      parsed like a user's value; null means "not set". Mark passwords and tokens `secret: true`.
//   2. Read it where the program builds its options: `values.get("maxConn")` (typed from the row).
//   3. Run `npm run docs:options` to regenerate the README tables (a test fails until you do).
import { GENERATE_MAPS_OPTION_ROWS } from "./generate-maps-option-rows.js";
import type { OptionRow, Program } from "./option-row.js";
import { RELOADER_OPTION_ROWS } from "./reloader-option-rows.js";
import { SHARED_OPTION_ROWS } from "./shared-option-rows.js";
import type { ValueType } from "./value-type.js";

// Every row, by id, in help order: each program's own options first, then the shared ones.
export const OPTION_TABLE = {
  ...GENERATE_MAPS_OPTION_ROWS,
  ...RELOADER_OPTION_ROWS,
  ...SHARED_OPTION_ROWS,
} as const satisfies Record<string, OptionRow>;

// The id of a row.
export type OptionId = keyof typeof OPTION_TABLE;

type RowOf<K extends OptionId> = (typeof OPTION_TABLE)[K];
type TypeOf<R> = R extends { type: ValueType<infer T> } ? T : never;

// The typed value of a row: null when it has no default and is not required, and was not given.
export type OptionValue<K extends OptionId> =
  RowOf<K> extends { default: null }
    ? RowOf<K> extends { required: string }
      ? TypeOf<RowOf<K>>
      : TypeOf<RowOf<K>> | null
    : TypeOf<RowOf<K>>;

// The rows `program` reads, with their ids, in help order.
export function optionRowsOf(program: Program): [OptionId, OptionRow][] {
  return (Object.entries(OPTION_TABLE) as [OptionId, OptionRow][]).filter(([, row]) =>
    row.programs.includes(program),
  );
}
