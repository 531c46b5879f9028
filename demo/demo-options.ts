// The demo's options, from flags or their environment variables, validated once (a flag wins; an empty
// variable counts as unset). A bad value is a DemoOptionsError naming the flag or variable and the value.
import { parseArgs } from "node:util";

// What the demo runs with.
export interface DemoOptions {
  /** stop by itself after this many seconds of running (null: until Ctrl-C / SIGTERM) */
  durationS: number | null;
  /** seconds between two automatic changes */
  everyS: number;
  /** HAProxy's HTTP port (null: 8080 when free, else any free port) */
  httpPort: number | null;
  /** where httpPort came from, for messages: `--http-port` or `DEMO_HTTP_PORT` (null with httpPort) */
  httpPortFrom: string | null;
  /** keep the temp dir (logs, generated files) after the demo stops */
  keep: boolean;
  help: boolean;
}

// A bad flag or variable; the message names it and the bad value.
export class DemoOptionsError extends Error {}

// The --help text.
export const DEMO_HELP = `npm run demo -- [flags]      (or: node --import tsx demo/demo.ts [flags])

Runs rancher-haproxy end to end on this machine: a stand-in Rancher metadata server, demo backends on
127.0.0.x, generate-maps and the reloader (the real programs), and HAProxy on an unprivileged port.
Every few seconds it changes the scenario (scale up, add an alias, scale down, remove it) and shows it.

  --duration <s>   stop after <s> seconds (DEMO_DURATION; default: run until Ctrl-C)
  --every <s>      seconds between automatic changes, 1-3600 (DEMO_EVERY; default 10)
  --http-port <n>  HAProxy's HTTP port (DEMO_HTTP_PORT; default 8080, or a free port if it is taken)
  --keep           keep the temp dir with the logs and generated files after stopping
  --help           show this help

The stats port is 8404 and the status listeners 9101 (generate-maps) and 9102 (reloader) when they are
free, else free ports; the banner prints the ports in use.

Keys (on a terminal): Enter or space = the next change now, q = quit. Ctrl-C stops everything.`;

// Parses argv (without node and the script) and the environment.
export function parseDemoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        duration: { type: "string" },
        every: { type: "string" },
        "http-port": { type: "string" },
        keep: { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new DemoOptionsError((error as Error).message);
  }
  const pick = (flag: string, variable: string): { name: string; raw: string } | null => {
    const fromFlag = (values as Record<string, unknown>)[flag];
    if (typeof fromFlag === "string") return { name: `--${flag}`, raw: fromFlag };
    const fromEnv = env[variable];
    return fromEnv === undefined || fromEnv === "" ? null : { name: variable, raw: fromEnv };
  };
  const duration = pick("duration", "DEMO_DURATION");
  const every = pick("every", "DEMO_EVERY");
  const port = pick("http-port", "DEMO_HTTP_PORT");
  return {
    durationS: duration && seconds(duration, 1, 86_400),
    everyS: every ? seconds(every, 1, 3600) : 10,
    httpPort: port && integer(port, 1, 65_535),
    httpPortFrom: port && port.name,
    keep: values.keep === true,
    help: values.help === true,
  };
}

function seconds(value: { name: string; raw: string }, min: number, max: number): number {
  const n = /^\d+(\.\d+)?$/.test(value.raw) ? Number(value.raw) : NaN;
  if (!(n >= min && n <= max))
    throw new DemoOptionsError(`invalid ${value.name} "${value.raw}": must be seconds from ${min} to ${max}`);
  return n;
}

function integer(value: { name: string; raw: string }, min: number, max: number): number {
  const n = /^\d+$/.test(value.raw) ? Number(value.raw) : NaN;
  if (!(n >= min && n <= max))
    throw new DemoOptionsError(`invalid ${value.name} "${value.raw}": must be a port from ${min} to ${max}`);
  return n;
}
