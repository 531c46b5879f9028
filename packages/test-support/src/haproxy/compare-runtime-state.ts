// "The files stay the truth": the running worker's servers and map entries against the shared files
// (what generate-maps wrote) and against the reloader's `current` snapshot (what a reload would load,
// free slots included). Every difference is a line of the result; [] means consistent.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sendMasterCommand } from "@rancher-haproxy/core";
import { parseShowMap, readyAddresses, type RuntimeState } from "./read-runtime-state.js";

// One `server` line of a backends file.
export interface FileServer {
  backend: string;
  name: string;
  address: string;
  /** the line carries `disabled` (a free slot, or a slot whose container is not routable) */
  disabled: boolean;
}

// The server lines of a backends file, in order.
export function parseBackendServers(text: string): FileServer[] {
  const servers: FileServer[] = [];
  let backend: string | null = null;
  for (const line of text.split("\n")) {
    const header = /^backend (\S+)/.exec(line);
    if (header) backend = header[1] ?? null;
    else if (/^\S/.test(line)) backend = null;
    const server = /^\s+server (\S+) (\S+)(.*)$/.exec(line);
    if (server && backend !== null)
      servers.push({
        backend,
        name: server[1] ?? "",
        address: server[2] ?? "",
        disabled: /(^|\s)disabled(\s|$)/.test(server[3] ?? ""),
      });
  }
  return servers;
}

// The `<host> <backend>` lines of a map file, sorted (comments and blank lines left out).
export function mapLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/).join(" "))
    .filter((line) => line !== "" && !line.startsWith("#"))
    .sort();
}

// Differences between the runtime state and the shared files (backends text, map text).
export function compareWithFiles(runtime: RuntimeState, files: { backends: string; map: string }): string[] {
  const problems: string[] = [];
  const expected: Record<string, string[]> = {};
  for (const server of parseBackendServers(files.backends))
    if (!server.disabled) (expected[server.backend] ??= []).push(server.address);
  for (const list of Object.values(expected)) list.sort();
  const ready = readyAddresses(runtime.servers);
  for (const backend of new Set([...Object.keys(expected), ...Object.keys(ready)])) {
    const want = (expected[backend] ?? []).join(",");
    const have = (ready[backend] ?? []).join(",");
    if (want !== have) problems.push(`files: backend ${backend} routes [${have}], the file says [${want}]`);
  }
  const map = mapLines(files.map);
  if (map.join("\n") !== runtime.map.join("\n"))
    problems.push(`files: the map has [${runtime.map.join(", ")}], the file says [${map.join(", ")}]`);
  return problems;
}

// Differences between the runtime state and the snapshot dir (`<state>/current`): same slots by name,
// same address and readiness for every enabled slot, every `disabled` slot not ready, the same map and
// path-host markers (`current/path-hosts.map`, when the snapshot has one); and, given the shared files,
// the snapshot's copies of them (`current/inputs/`, when the reloader keeps them). `markers` false: a
// user's --config that does not load path-hosts.map (the worker has no such map to compare).
export async function compareWithSnapshot(
  runtime: RuntimeState,
  stateDir: string,
  files?: { backends: string; map: string },
  markers = true,
): Promise<string[]> {
  const dir = join(stateDir, "current");
  const snapshot = parseBackendServers(await readFile(join(dir, "backends.cfg"), "utf8"));
  const map = mapLines(await readFile(join(dir, "domain.map"), "utf8"));
  const problems: string[] = [];
  const key = (backend: string, name: string) => `${backend}/${name}`;
  const running = new Map(runtime.servers.map((server) => [key(server.backend, server.name), server]));
  const backends = new Set(snapshot.map((server) => server.backend));
  for (const server of snapshot) {
    const live = running.get(key(server.backend, server.name));
    const where = `snapshot: ${key(server.backend, server.name)}`;
    if (!live) problems.push(`${where} is not in the worker`);
    else if (server.disabled && live.ready) problems.push(`${where} is disabled but ready in the worker`);
    else if (!server.disabled && !live.ready)
      problems.push(`${where} is enabled but not ready (op ${live.opState} admin ${live.adminState})`);
    else if (!server.disabled && live.address !== server.address)
      problems.push(`${where} is ${server.address}, the worker has ${live.address}`);
  }
  for (const live of runtime.servers)
    if (
      backends.has(live.backend) &&
      !snapshot.some((s) => s.backend === live.backend && s.name === live.name)
    )
      problems.push(`snapshot: the worker has ${key(live.backend, live.name)}, the snapshot does not`);
  const inputs = await readInputs(dir);
  if (inputs && files && (inputs.backends !== files.backends || inputs.map !== files.map))
    problems.push("snapshot: current/inputs/ are not the shared files");
  if (map.join("\n") !== runtime.map.join("\n"))
    problems.push(
      `snapshot: the map has [${runtime.map.join(", ")}], current/domain.map [${map.join(", ")}]`,
    );
  const marked = !markers
    ? null
    : await readFile(join(dir, "path-hosts.map"), "utf8").then(mapLines, () => null);
  if (marked !== null) {
    const command = `@!${runtime.workerPid} show map path-hosts.map`;
    const live = parseShowMap(await sendMasterCommand(join(stateDir, "master.sock"), command));
    if (marked.join("\n") !== live.join("\n"))
      problems.push(`snapshot: path-hosts.map has [${live.join(", ")}], the file [${marked.join(", ")}]`);
  }
  return problems;
}

// The snapshot's verbatim copies of the shared files, null when it has none (an older reloader).
async function readInputs(dir: string): Promise<{ backends: string; map: string } | null> {
  try {
    return {
      backends: await readFile(join(dir, "inputs", "haproxy-backends.cfg"), "utf8"),
      map: await readFile(join(dir, "inputs", "domain.map"), "utf8"),
    };
  } catch {
    return null;
  }
}
