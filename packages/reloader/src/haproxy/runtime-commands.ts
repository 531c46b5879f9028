// The runtime-API command of each planned step, and the allow-list of answers that mean it was done:
// any other answer (an error, an unknown server or map, an empty answer where text is due) is a failure.
import type { MapOp, ServerOp } from "../model/plan-update.js";
import { slotName } from "../model/server-slots.js";
import { DOMAIN_MAP_NAME } from "../render/render-routing-rules.js";

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

// `add map` / `set map` / `del map` on the routing map (each one atomic for its key).
export function mapCommand(op: MapOp, map: string = DOMAIN_MAP_NAME): RuntimeCommand {
  if (op.action === "del") return { command: `del map ${map} ${op.fqdn}`, expected: EMPTY };
  return { command: `${op.action} map ${map} ${op.fqdn} ${op.backend}`, expected: EMPTY };
}
