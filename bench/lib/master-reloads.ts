// HAProxy's own reload counter: `show proc` on the reloader's master CLI (<state dir>/master.sock), so
// reloads per change are counted by HAProxy itself, whatever the reloader logs.
import { readReloadCounter } from "@rancher-haproxy/test-support";

// The master's reload count now.
export async function masterReloads(stateDir: string): Promise<number> {
  return (await readReloadCounter(stateDir)).reloads;
}
