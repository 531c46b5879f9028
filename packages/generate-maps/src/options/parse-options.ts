// The edge: command line + environment -> validated GeneratorOptions, or help, or an OptionsError whose
// one-line message names the flag or variable and the bad value. The options are rows of core's
// option table (shared with the reloader); only the checks between them live here.
import { createRequire } from "node:module";
import {
  OptionsError,
  readCommandLine,
  resolveOptionValues,
  type RawFlags,
} from "@rancher-haproxy/core/options";
import type { GeneratorOptions } from "./generator-options.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

// What the command line asks for: the help text, or a run with these options.
export type ParsedCommandLine = { kind: "help"; text: string } | { kind: "run"; options: GeneratorOptions };

const TEXT = {
  usage:
    "$0 [options]\n\nWrites HAProxy's domain.map and haproxy-backends.cfg from the Rancher metadata service and keeps " +
    "them current: every container labelled <label>=<port> is served at http://<stack>.<domain>.",
  epilog:
    "A flag wins over its environment variable. Exit codes: 0 ok, 1 metadata unreadable (--once, --dry-run, " +
    "--explain) or a file not written (--once), 2 bad options, 3 --explain found no such container or host.",
  version,
};

// Parses argv (without node and script) against env; throws OptionsError on anything invalid.
export async function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ParsedCommandLine> {
  const commandLine = await readCommandLine("generate-maps", argv, TEXT);
  if (commandLine.kind === "help") return commandLine;
  return { kind: "run", options: generatorOptions(commandLine.flags, env) };
}

// The options of a run from the raw flags (by flag name) and the environment.
export function generatorOptions(flags: RawFlags, env: NodeJS.ProcessEnv): GeneratorOptions {
  const values = resolveOptionValues("generate-maps", flags, env);
  const options: GeneratorOptions = {
    domain: values.get("domain"),
    apiHost: values.get("apiHost"),
    apiVersion: values.get("apiVersion"),
    label: values.get("label"),
    proxyLabel: values.get("proxyLabel"),
    tcpLabel: values.get("tcpLabel"),
    domainMapPath: values.get("domainMap"),
    backendsPath: values.get("backends"),
    intervalMs: values.get("interval"),
    once: values.get("once"),
    dryRun: values.get("dryRun"),
    logLevel: values.get("logLevel"),
    logFormat: values.get("logFormat") ?? undefined,
    status: {
      port: values.get("statusPort"),
      bind: values.get("statusBind"),
      token: values.get("statusToken"),
    },
    explain: values.get("explain"),
    json: values.get("json"),
    requestTimeoutMs: 5000,
    maxRemovalShare: values.get("maxRemovalShare"),
    removalConfirmMs: values.get("removalConfirmSeconds"),
    metadataMaxBytes: values.get("metadataMaxBytes"),
  };
  const backendNetworks = values.get("backendNetworks");
  if (backendNetworks !== null) options.backendNetworks = backendNetworks;
  // Every broken rule on the one line, as the values' own problems are (not only the first).
  const problems: string[] = [];
  if (options.label === options.proxyLabel)
    problems.push(
      `RANCHER_LABEL and RANCHER_PROXY_LABEL (--label, --proxy-label) are both "${options.label}": they must differ`,
    );
  const tcpTwin = (
    [
      ["RANCHER_LABEL (--label)", options.label],
      ["RANCHER_PROXY_LABEL (--proxy-label)", options.proxyLabel],
    ] as const
  ).find(([, value]) => options.tcpLabel === value);
  if (tcpTwin !== undefined)
    problems.push(
      `RANCHER_TCP_LABEL (--tcp-label) and ${tcpTwin[0]} are both "${tcpTwin[1]}": they must differ`,
    );
  if (options.domainMapPath === options.backendsPath)
    problems.push(
      `HAPROXY_DOMAIN_MAP and HAPROXY_BACKEND_CONFIG (--domain-map, --backends) are the same file: ${options.backendsPath}`,
    );
  if (options.explain !== null && (options.once || options.dryRun))
    problems.push("--explain cannot be combined with --once or --dry-run: it only reads");
  if (options.json && options.explain === null)
    problems.push("--json is for --explain only: give --explain <container or host> with it");
  if (problems.length > 0) throw new OptionsError(problems);
  return options;
}
