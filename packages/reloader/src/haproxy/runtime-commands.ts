// The runtime-API command of each planned step, and the allow-list of answers that mean it was done:
// any other answer (an error, an unknown server or map, an empty answer where text is due) is a failure.
import type { MapOp, ServerOp } from "../model/plan-update.js";
import { slotName } from "../model/server-slots.js";
import { DOMAIN_MAP_NAME, PATH_HOSTS_MAP_NAME } from "../render/render-routing-rules.js";

// A command and the test its answer must pass.
export interface RuntimeCommand {
  command: string;
  expected: (answer: string) => boolean;
}

const EMPTY = (answer: string) => answer.trim() === "";
const ADDRESS_CHANGED =
  /^(IP changed from '[^']*' to '[^']*'|no need to change the addr)(, (port changed from '[^']*' to '[^']*'|no need to change the port))? by 'stats socket command'$/;

// `set server <backend>/s<i> state maint|ready`, `… addr <a> port <p>`, or `shutdown sessions server …`.
export function serverCommand(op: ServerOp): RuntimeCommand {
  const target = `${op.backend}/${slotName(op.slot)}`;
  if (op.action === "addr")
    return {
      command: `set server ${target} addr ${op.address} port ${op.port}`,
      expected: (answer) => ADDRESS_CHANGED.test(answer.trim()),
    };
  if (op.action === "shutdown") return { command: `shutdown sessions server ${target}`, expected: EMPTY };
  return { command: `set server ${target} state ${op.action}`, expected: EMPTY };
}

// The map file an op is on, as the base config names it.
export function mapFileOf(op: MapOp): string {
  return op.map === "path-hosts" ? PATH_HOSTS_MAP_NAME : DOMAIN_MAP_NAME;
}

// `add map` / `set map` / `del map` on the op's map (each one atomic for its key).
export function mapCommand(op: MapOp): RuntimeCommand {
  const map = mapFileOf(op);
  if (op.action === "del") return { command: `del map ${map} ${op.fqdn}`, expected: EMPTY };
  return { command: `${op.action} map ${map} ${op.fqdn} ${op.backend}`, expected: EMPTY };
}
