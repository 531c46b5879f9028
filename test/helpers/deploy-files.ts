// The deploy files of the repository root, parsed for the deploy-artefacts test: the compose files
// (YAML), the Dockerfile's instructions, docker-entrypoint.sh's dispatch, and what each program reads
// (its own option table: variable → default).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@rancher-haproxy/test-support";
import { parse } from "yaml";
import { defaultFor, optionRowsOf } from "@rancher-haproxy/core";
import { execForm, finalStage, parseDockerfile, type Instruction } from "./dockerfile.ts";

// The repository root.
export const ROOT = repoRoot();

// The fields of a compose v1 service (and of a rancher-compose.yml entry) the checks look at.
export interface Service {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  labels?: Record<string, string>;
  volumes?: string[];
  volumes_from?: string[];
  ports?: string[];
  metadata?: Record<string, unknown>;
  health_check?: Record<string, unknown>;
  tty?: boolean;
  stdin_open?: boolean;
}

// The two programs the image runs.
export type Program = "generate-maps" | "reloader";

// A file of the repository root as text.
export const readRootFile = (name: string): string => readFileSync(join(ROOT, name), "utf8");

// A compose-format file: service name → service.
export const readCompose = (name: string): Record<string, Service> =>
  parse(readRootFile(name)) as Record<string, Service>;

// The Dockerfile's instructions.
export const dockerfile: Instruction[] = parseDockerfile(readRootFile("Dockerfile"));

// The environment variables a program reads (core's option table), with their defaults (null: none).
function reads(program: Program): ReadonlyMap<string, string | null> {
  const rows = optionRowsOf(program).map(([, row]) => row);
  return new Map(rows.flatMap((row) => (row.env === null ? [] : [[row.env, defaultFor(row, program)]])));
}

// The environment variables each program reads, with their defaults (null: none).
export const READS: Record<Program, ReadonlyMap<string, string | null>> = {
  "generate-maps": reads("generate-maps"),
  reloader: reads("reloader"),
};

// A service's environment as a map (compose accepts a map or a list of KEY=value).
export function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return env;
  return Object.fromEntries(env.map((item) => [item.split("=")[0]!, item.slice(item.indexOf("=") + 1)]));
}

// The command a service runs: its own, else the image's CMD (null when there is neither).
export function commandOf(service: Service): string[] | null {
  if (service.command !== undefined)
    return Array.isArray(service.command) ? service.command : service.command.split(/\s+/);
  const cmd = finalStage(dockerfile, "CMD").at(-1);
  return cmd ? execForm(cmd.args) : null;
}

// docker-entrypoint.sh's named case labels and the program each runs (null: a label running no bin),
// read from the `exec node "$APP/<program>/bin/<program>.js"` line of each branch.
export function entrypointDispatch(script: string): Map<string, Program | null> {
  const dispatch = new Map<string, Program | null>();
  for (const branch of script.matchAll(/^\s*([a-z][a-z0-9 |-]*)\)\s*\n([\s\S]*?);;/gm)) {
    const bin = /\$APP\/(generate-maps|reloader)\/bin\/\1\.js/.exec(branch[2]!)?.[1] as Program | undefined;
    for (const label of branch[1]!.split("|")) dispatch.set(label.trim(), bin ?? null);
  }
  return dispatch;
}
