// The yargs command line of `reloader`: every flag of OPTION_SPECS as a string, parsed strictly.
import yargs from "yargs";
import { OPTION_SPECS, type RawFlags } from "./option-specs.js";

// Parse argv into raw flag strings (yargs prints --help/--version and exits by itself).
export function parseCommandLine(argv: readonly string[]): RawFlags {
  let parser = yargs([...argv])
    .scriptName("reloader")
    .usage(
      "$0 [flags]\n\nRuns HAProxy and reloads it, without dropping requests, when its generated files change.",
    )
    .strict()
    .parserConfiguration({ "camel-case-expansion": false })
    .wrap(110);
  for (const spec of OPTION_SPECS) {
    const env = spec.env ? ` [env ${spec.env}]` : "";
    const fallback = spec.default === null ? "" : ` [default: ${spec.default === "" ? '""' : spec.default}]`;
    parser = parser.option(spec.flag, { type: "string", describe: `${spec.describe}${env}${fallback}` });
  }
  const parsed = parser.parseSync() as Record<string, unknown>;
  const flags: Record<string, string> = {};
  for (const spec of OPTION_SPECS) {
    const value = parsed[spec.flag];
    if (value === undefined) continue;
    // A repeated flag gives an array: the last one wins, as usual for command lines.
    flags[spec.flag] = String(Array.isArray(value) ? value[value.length - 1] : value);
  }
  return flags as RawFlags;
}
