// argv → the raw text of each flag a program knows (yargs parses, strictly, and never prints or
// exits), or the help/version text. Unknown flags, positional words and a flag given twice are errors.
// A command line of known flags only is read by parseKnownFlags; yargs is loaded for anything else.
import { describeFor, defaultFor, type OptionRow, type Program } from "./option-row.js";
import { optionRowsOf } from "./option-table.js";
import { parseKnownFlags } from "./parse-known-flags.js";
import { OptionsError } from "./options-error.js";
import { BOOLEAN, SWITCH } from "./value-types.js";

// The raw text of each given flag, by its main name (a switch is "true" or "false").
export type RawFlags = Readonly<Record<string, string>>;

// What the command line asks for: a text to print (--help, --version) and exit 0, or a run.
export type CommandLine = { kind: "help"; text: string } | { kind: "run"; flags: RawFlags };

// The program's own words around the generated flag list.
export interface CommandLineText {
  usage: string;
  epilog: string;
  version: string;
}

// Parses argv (without node and the script) for `program`; throws OptionsError with one line.
export async function readCommandLine(
  program: Program,
  argv: readonly string[],
  text: CommandLineText,
): Promise<CommandLine> {
  const rows = optionRowsOf(program).map(([, row]) => row);
  refuseRepeats(rows, argv);
  refuseSwitchValues(rows, argv);
  refuseEmptyBooleans(rows, argv);
  const known = parseKnownFlags(rows, argv);
  return known !== null ? { kind: "run", flags: known } : readWithYargs(program, argv, text);
}

// The same reading by yargs itself (after refuseRepeats): what parseKnownFlags must agree with, and the
// only path for help, version and every refusal.
export async function readWithYargs(
  program: Program,
  argv: readonly string[],
  text: CommandLineText,
): Promise<CommandLine> {
  const rows = optionRowsOf(program).map(([, row]) => row);
  const { default: yargs } = await import("yargs");
  const parser = yargs([...argv])
    .scriptName(program)
    .usage(text.usage)
    .epilog(text.epilog)
    // No dot-notation: `--domain-map.a /x` was an object, "[object Object]" as a path, not an unknown flag.
    .parserConfiguration({ "camel-case-expansion": false, "boolean-negation": false, "dot-notation": false })
    .strict()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw new OptionsError(`${error?.message ?? message} (see --help)`);
    })
    .wrap(Math.min(120, process.stdout.columns ?? 120));
  for (const row of rows) parser.option(row.flag, yargsOption(row, program));
  const parsed = (await parser.parseAsync()) as Record<string, unknown>;
  const positional = (parsed["_"] as unknown[] | undefined) ?? [];
  if (positional.length > 0)
    throw new OptionsError(`Unknown argument: ${String(positional[0])} (see --help)`);
  if (parsed["help"] === true) return { kind: "help", text: await parser.getHelp() };
  if (parsed["version"] === true) return { kind: "help", text: text.version };
  const flags: Record<string, string> = {};
  for (const row of rows) if (parsed[row.flag] !== undefined) flags[row.flag] = String(parsed[row.flag]);
  return { kind: "run", flags };
}

function yargsOption(row: OptionRow, program: Program) {
  const fallback = defaultFor(row, program);
  const env = row.env === null ? "" : `env ${row.env}`;
  const shown =
    fallback === null || row.type === SWITCH ? "" : `default ${fallback === "" ? '""' : fallback}`;
  const note = [env, shown].filter(Boolean).join(", ");
  return {
    type: row.type === SWITCH ? ("boolean" as const) : ("string" as const),
    alias: [...(row.aliases ?? [])],
    describe: `${describeFor(row, program)}${note ? ` [${note}]` : ""}`,
  };
}

// A switch given a value other than true or false (`--dry-run=yes`, `--once=1`, `--dry-run=True`) is
// refused naming it: yargs reads every such value as false, so `--dry-run=yes` ran for real and wrote.
function refuseSwitchValues(rows: readonly OptionRow[], argv: readonly string[]): void {
  for (const token of argv) {
    if (token === "--") break;
    const match = /^(--?)([^=]+)=(.*)$/s.exec(token);
    if (match === null) continue;
    const [, dashes = "", name = "", value = ""] = match;
    const row = rows.find((r) => r.flag === name || r.aliases?.includes(name));
    if (row?.type === SWITCH && value !== "true" && value !== "false")
      throw new OptionsError(`invalid ${dashes}${name} ${JSON.stringify(value)}: must be ${SWITCH.accepts}`);
  }
}

// A boolean given an empty value (`--enable-ssl=`, `--strict-sni ""`) is refused naming it: yargs reads it
// as the bare flag (""), so `--enable-ssl=$UNSET` turned TLS on, where an empty ENABLE_SSL is unset.
function refuseEmptyBooleans(rows: readonly OptionRow[], argv: readonly string[]): void {
  for (const [index, token] of argv.entries()) {
    if (token === "--") break;
    const match = /^(--?)([^=]+)(=?)$/.exec(token);
    if (match === null) continue;
    const [, dashes = "", name = "", equals = ""] = match;
    const row = rows.find((r) => r.flag === name || r.aliases?.includes(name));
    if (row?.type === BOOLEAN && (equals === "=" || argv[index + 1] === ""))
      throw new OptionsError(`invalid ${dashes}${name} "": must be ${BOOLEAN.accepts}`);
  }
}

// A flag given twice (under any of its names) is refused rather than one of them silently winning.
function refuseRepeats(rows: readonly OptionRow[], argv: readonly string[]): void {
  const seen = new Map<OptionRow, string[]>();
  for (const token of argv) {
    if (token === "--") break;
    const name = /^--?([^=]+)/.exec(token)?.[1];
    if (name === undefined) continue;
    const row = rows.find((r) => r.flag === name || r.aliases?.includes(name));
    if (row === undefined) continue;
    const spellings = seen.get(row) ?? [];
    spellings.push(`${token.startsWith("--") ? "--" : "-"}${name}`);
    seen.set(row, spellings);
    if (spellings.length === 2)
      throw new OptionsError(
        spellings[0] === spellings[1]
          ? `${spellings[0]} is given more than once`
          : `${spellings.join(" and ")} are the same option, given more than once`,
      );
  }
}
