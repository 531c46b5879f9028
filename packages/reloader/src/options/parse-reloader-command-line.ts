// The reloader's command line: its --help and --version texts over core's option table.
import { createRequire } from "node:module";
import { readCommandLine, type CommandLine } from "@rancher-haproxy/core/options";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const TEXT = {
  usage:
    "$0 [flags]\n\nRuns HAProxy and reloads it, without dropping requests, when its generated files change.",
  epilog:
    "A flag wins over its environment variable. Exit codes: 0 after a clean stop, 1 on failure, 2 bad options, 3 an uncaught error left HAProxy serving (--on-crash leave-haproxy).",
  version,
};

// Parses argv (without node and script): the help or version text, or the raw flags of a run.
export function parseReloaderCommandLine(argv: readonly string[]): Promise<CommandLine> {
  return readCommandLine("reloader", argv, TEXT);
}
