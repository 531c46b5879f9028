// The common command line (known flags only) read without loading yargs: yargs' own parser, yargs-parser,
// with the settings yargs gives it. Loading yargs costs 60–120 ms of CPU at every start (its help layout
// pulls in string-width, whose `\p{RGI_Emoji}` pattern and Intl.Segmenter are built at load), which a
// one-shot run or a restart pays for nothing. Anything else (help, version, an unknown or stray word, a
// parse error) is left to yargs, so every message and the help text stay exactly yargs'.
import parser from "yargs-parser";
import type { OptionRow } from "./option-row.js";
import { SWITCH } from "./value-types.js";

// The flags that only yargs answers (with a text, not a run).
const YARGS_ONLY: ReadonlySet<string> = new Set(["help", "version"]);

// The raw text of each given flag by its main name, as readCommandLine's yargs path gives it; null when
// the command line is not only known flags of a run (then yargs must judge it).
export function parseKnownFlags(
  rows: readonly OptionRow[],
  argv: readonly string[],
): Record<string, string> | null {
  const names = new Map<string, OptionRow>();
  for (const row of rows) for (const name of [row.flag, ...(row.aliases ?? [])]) names.set(name, row);
  const parsed = parser.detailed([...argv], {
    alias: Object.fromEntries(rows.map((row) => [row.flag, [...(row.aliases ?? [])]])),
    boolean: rows.filter((row) => row.type === SWITCH).map((row) => row.flag),
    string: rows.filter((row) => row.type !== SWITCH).map((row) => row.flag),
    configuration: {
      "camel-case-expansion": false,
      "boolean-negation": false,
      "dot-notation": false,
      "parse-positional-numbers": false,
    },
  });
  if (parsed.error !== null || parsed.argv._.length > 0) return null;
  const flags: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.argv)) {
    if (key === "_" || key === "$0") continue;
    const row = names.get(key);
    if (row === undefined || YARGS_ONLY.has(row.flag)) return null;
    // A repeated flag parses to a list: yargs' to judge (a dotted one is an unknown name).
    if (typeof value !== "string" && typeof value !== "boolean") return null;
    if (key === row.flag) flags[row.flag] = String(value);
  }
  return flags;
}
