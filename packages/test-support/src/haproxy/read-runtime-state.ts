// What the running HAProxy worker routes right now, read through the master CLI (addressed to the
// current worker by pid): every server of every backend (`show servers state`) and the domain map's
// entries (`show map domain.map`). The truth the zero-reload tests compare with the files.
import { join } from "node:path";
import { readReloadCounter } from "./read-reload-counter.js";
import { sendMasterCommand } from "@rancher-haproxy/core";

// One server slot as the worker has it.
export interface RuntimeServer {
  backend: string;
  name: string;
  /** host:port */
  address: string;
  /** srv_op_state (0 stopped, 1 starting, 2 running, 3 stopping) */
  opState: number;
  /** srv_admin_state bit field (see NOT_READY_ADMIN) */
  adminState: number;
  /** takes new requests: running and not in any maintenance or drain mode */
  ready: boolean;
}

// srv_admin_state bits that keep a server from new requests: forced, inherited, resolver and hostname
// maintenance (0x01, 0x02, 0x20, 0x40) and both drains (0x08, 0x10). Not 0x04 (CMAINT): it only records
// that the config said `disabled`, and stays set after `set server state ready` put the slot in use.
const NOT_READY_ADMIN = 0x7b;

// The worker's routing state.
export interface RuntimeState {
  workerPid: number;
  servers: RuntimeServer[];
  /** `<host> <backend>` per map entry, sorted */
  map: string[];
}

// Reads both from the current worker; rejects when there is none or an answer is not what HAProxy prints.
export async function readRuntimeState(stateDir: string, mapName = "domain.map"): Promise<RuntimeState> {
  const socket = join(stateDir, "master.sock");
  const { workerPid } = await readReloadCounter(stateDir);
  if (workerPid === null) throw new Error("no current worker");
  const servers = parseServersState(await sendMasterCommand(socket, `@!${workerPid} show servers state`));
  const map = parseShowMap(await sendMasterCommand(socket, `@!${workerPid} show map ${mapName}`));
  return { workerPid, servers, map };
}

// `<key> <value>` per line of a `show map <name>` answer, sorted; throws on any other line.
export function parseShowMap(text: string): string[] {
  const map: string[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const entry = /^0x[0-9a-f]+ (\S+) (\S+)$/.exec(line);
    if (!entry) throw new Error(`unexpected show map line: ${line.slice(0, 200)}`);
    map.push(`${entry[1]} ${entry[2]}`);
  }
  return map.sort();
}

// Parses `show servers state` (format version 1) by its header's column names.
export function parseServersState(text: string): RuntimeServer[] {
  const lines = text.split("\n");
  const header = lines.find((line) => line.startsWith("# be_id"));
  if (!header) throw new Error(`not a show servers state answer: ${text.slice(0, 200)}`);
  const columns = header.slice(2).split(" ");
  const at = (fields: string[], name: string) => fields[columns.indexOf(name)] ?? "";
  const servers: RuntimeServer[] = [];
  for (const line of lines) {
    if (line.startsWith("#") || !/^\d+ /.test(line)) continue;
    const fields = line.split(" ");
    const opState = Number(at(fields, "srv_op_state"));
    const adminState = Number(at(fields, "srv_admin_state"));
    servers.push({
      backend: at(fields, "be_name"),
      name: at(fields, "srv_name"),
      address: `${at(fields, "srv_addr")}:${at(fields, "srv_port")}`,
      opState,
      adminState,
      ready: opState === 2 && (adminState & NOT_READY_ADMIN) === 0,
    });
  }
  return servers;
}

// backend → the sorted addresses of its ready servers (backends without one are left out).
export function readyAddresses(servers: readonly RuntimeServer[]): Record<string, string[]> {
  const ready: Record<string, string[]> = {};
  for (const server of servers) if (server.ready) (ready[server.backend] ??= []).push(server.address);
  for (const list of Object.values(ready)) list.sort();
  return ready;
}
