// `show servers state <backend>` (format 1) → each server's name, address, port and whether it takes
// traffic (no maintenance or drain flag but the configuration's `disabled` marker). Pure and total.

// One server as the worker runs it.
export interface ServerState {
  name: string;
  address: string;
  port: number;
  /** not in maintenance (forced, inherited, resolver or hostname) and not draining */
  ready: boolean;
  /** forced maintenance (`state maint`, or `disabled` in the config and never set ready) */
  maint: boolean;
}

/** admin flags: FMAINT 0x01, IMAINT 0x02, CMAINT 0x04 (the config's `disabled`; cleared from the
 * effective state by `state ready`), IDRAIN 0x08, FDRAIN 0x10, RMAINT 0x20, HMAINT 0x40 */
const NOT_READY = 0x01 | 0x02 | 0x08 | 0x10 | 0x20 | 0x40;

// The servers of `backend` in the answer (rows of other backends and malformed rows are skipped).
export function parseServersState(answer: string, backend: string): ServerState[] {
  const servers: ServerState[] = [];
  for (const line of answer.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.trim().split(/\s+/);
    if (fields.length < 19 || fields[1] !== backend) continue;
    const admin = Number(fields[6]);
    const port = Number(fields[18]);
    if (!Number.isInteger(admin) || !Number.isInteger(port)) continue;
    servers.push({
      name: fields[3] ?? "",
      address: fields[4] ?? "",
      port,
      ready: (admin & NOT_READY) === 0,
      maint: (admin & 0x01) !== 0,
    });
  }
  return servers;
}
