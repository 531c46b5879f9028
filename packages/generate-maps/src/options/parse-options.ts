// The edge: command line + environment -> validated GeneratorOptions, or help, or an OptionsError whose
// one-line message names the flag or variable and the bad value. A flag wins over its variable.
import { resolve } from "node:path";
import yargs from "yargs";
import type { GeneratorOptions } from "./generator-options.js";
import { QUERY_OPTIONS, SWITCHES, VALUE_OPTIONS, type ValueFlag } from "./option-table.js";
import { OptionsError } from "./options-error.js";
import * as v from "./validate-values.js";

// What the command line asks for: the help text, or a run with these options.
export type ParsedCommandLine = { kind: "help"; text: string } | { kind: "run"; options: GeneratorOptions };

// Where an option's value came from, for error messages: `--interval` or `POLL_INTERVAL`.
interface Raw {
  value: string;
  source: string;
}

// Parses argv (without node and script) against env; throws OptionsError on anything invalid.
export async function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ParsedCommandLine> {
  const parser = buildParser(argv);
  let flags: Record<string, unknown>;
  try {
    flags = await parser.parseAsync();
  } catch (error) {
    throw new OptionsError(`${(error as Error).message} (see --help)`);
  }
  if (flags["help"] === true) return { kind: "help", text: await parser.getHelp() };

  const raw = (flag: ValueFlag): Raw | undefined => {
    const spec = VALUE_OPTIONS.find((option) => option.flag === flag);
    const given = flags[flag];
    if (Array.isArray(given)) throw new OptionsError(`--${flag} is given more than once`);
    if (typeof given === "string") return { value: given, source: `--${flag}` };
    const fromEnv = spec ? env[spec.env] : undefined;
    if (spec && fromEnv !== undefined && fromEnv !== "") return { value: fromEnv, source: spec.env };
    if (spec && "default" in spec) return { value: spec.default, source: `--${flag} default` };
    return undefined;
  };
  const take = <T>(flag: ValueFlag, validate: (value: string) => T): T => {
    const given = raw(flag);
    if (given === undefined) throw new OptionsError(`--${flag} has no value`);
    return check(given, validate);
  };

  const domain = raw("domain");
  if (domain === undefined)
    throw new OptionsError(
      "STACK_DOMAIN is required: set STACK_DOMAIN (or pass --domain), e.g. STACK_DOMAIN=dev.example.com",
    );
  const format = raw("log-format");
  const options: GeneratorOptions = {
    domain: check(domain, v.validateDomain),
    apiHost: take("api-host", v.validateApiHost),
    apiVersion: take("api-version", v.validateApiVersion),
    label: take("label", v.validateLabelKey),
    proxyLabel: take("proxy-label", v.validateLabelKey),
    domainMapPath: take("domain-map", v.validatePath),
    backendsPath: take("backends", v.validatePath),
    intervalMs: take("interval", v.validateInterval),
    once: flags["once"] === true,
    dryRun: flags["dry-run"] === true,
    logLevel: take("log-level", v.validateLogLevel),
    logFormat: format === undefined ? undefined : check(format, v.validateLogFormat),
    status: {
      port: take("status-port", v.validateStatusPort),
      bind: take("status-bind", v.validateStatusBind),
    },
    explain: explainQuery(flags["explain"]),
    json: flags["json"] === true,
    requestTimeoutMs: 5000,
    maxRemovalShare: take("max-removal-share", v.validateShare),
    removalConfirmMs: take("removal-confirm-seconds", v.validateConfirmSeconds),
  };
  // TEMPORARY: read here until the option table has BACKEND_NETWORKS (the lead moves it there).
  const networks = backendNetworks(env);
  if (networks !== undefined) options.backendNetworks = networks;
  if (options.label === options.proxyLabel)
    throw new OptionsError(
      `RANCHER_LABEL and RANCHER_PROXY_LABEL (--label, --proxy-label) are both "${options.label}": they must differ`,
    );
  if (resolve(options.domainMapPath) === resolve(options.backendsPath))
    throw new OptionsError(
      `HAPROXY_DOMAIN_MAP and HAPROXY_BACKEND_CONFIG (--domain-map, --backends) are the same file: ${options.backendsPath}`,
    );
  if (options.explain !== null && (options.once || options.dryRun))
    throw new OptionsError("--explain cannot be combined with --once or --dry-run: it only reads");
  return { kind: "run", options };
}

// BACKEND_NETWORKS: the CIDRs container addresses must be in (undefined when unset or empty).
function backendNetworks(env: NodeJS.ProcessEnv): string[] | undefined {
  const value = env["BACKEND_NETWORKS"];
  if (value === undefined || value.trim() === "") return undefined;
  return check({ value, source: "BACKEND_NETWORKS" }, v.validateCidrList);
}

// --explain's value: a non-empty name, given once (null when absent).
function explainQuery(given: unknown): string | null {
  if (given === undefined) return null;
  if (Array.isArray(given)) throw new OptionsError("--explain is given more than once");
  const query = String(given).trim();
  if (query === "") throw new OptionsError('invalid --explain "": give a container name or uuid, or a host');
  return query;
}

function check<T>(raw: Raw, validate: (value: string) => T): T {
  try {
    return validate(raw.value);
  } catch (error) {
    throw new OptionsError(`invalid ${raw.source} ${JSON.stringify(raw.value)}: ${(error as Error).message}`);
  }
}

function buildParser(argv: readonly string[]) {
  const parser = yargs([...argv])
    .scriptName("generate-maps")
    .usage(
      "$0 [options]\n\nWrites HAProxy's domain.map and haproxy-backends.cfg from the Rancher metadata service and keeps " +
        "them current: every container labelled <label>=<port> is served at http://<stack>.<domain>.",
    )
    .parserConfiguration({ "camel-case-expansion": false })
    .strict()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .wrap(Math.min(120, process.stdout.columns ?? 100));
  for (const option of VALUE_OPTIONS) {
    const fallback = "default" in option ? `, default ${option.default}` : "";
    parser.option(option.flag, {
      type: "string",
      requiresArg: true,
      describe: `${option.describe} [env ${option.env}${fallback}]`,
    });
  }
  for (const [flag, describe] of Object.entries(QUERY_OPTIONS))
    parser.option(flag, { type: "string", requiresArg: true, describe });
  for (const [flag, describe] of Object.entries(SWITCHES)) parser.option(flag, { type: "boolean", describe });
  return parser
    .alias("help", "h")
    .epilog(
      "A flag wins over its environment variable. Exit codes: 0 ok, 1 metadata unreadable (--once, --dry-run, " +
        "--explain), 2 bad options, 3 --explain found no such container or host.",
    );
}
