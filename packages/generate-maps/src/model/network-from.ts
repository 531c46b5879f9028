// Containers that share another container's network (`net: container:<primary>`, a sidekick's usual way
// to reach its primary on localhost): since Rancher 1.2 metadata gives them no primary_ip of their own,
// and the primary's uuid in network_from_container_uuid. Their address is the primary's, as Rancher's DNS
// answers it. Before, such a labelled sidekick was skipped as `no-ip`. Pure and total, and the same
// whatever the order of the list: when containers of one uuid (compared lower-cased) have different
// addresses, the owner is ambiguous and none of them lends its address. Before (until 2026-12-04) the
// last one listed did, so the same metadata in another order routed the sidekick elsewhere. An owner that
// is not running lends nothing: metadata keeps a stopped container's primary_ip, but the network it shares
// is down with it (until 2026-12-04 a sidekick still listed as running was routed there).
import { lowerAscii } from "@rancher-haproxy/core";
import { isServingState } from "./container-lifecycle.js";
import { describeValue } from "./describe-value.js";

// The address of a uuid, or AMBIGUOUS when the list has containers of that uuid with different ones.
const AMBIGUOUS = Symbol("ambiguous");

// A uuid's address, and the state of its container when that is not a running one (null: running; of
// one container listed twice, the first not running, whatever the order).
interface Owner {
  ip: string | typeof AMBIGUOUS;
  down: { state: unknown } | null;
}

// The addresses of the list by container uuid (lower-cased), and the containers waiting for one.
export class NetworkFromAddresses {
  /** uuid, primary_ip and state of each container with an address, in list order: read into ipByUuid
   * only when a container waits (most lists have none; a map entry and an object per container cost a
   * one-shot cycle at 10 000 containers ≈ 0.03 G instructions, bench/README.md, 2026-12-05 17:35) */
  private readonly listed: unknown[] = [];
  private ipByUuid: Map<string, Owner> | undefined;
  /** containers with no primary_ip and a network_from_container_uuid */
  readonly waiting: Record<string, unknown>[] = [];

  // Notes one container: its own address, or that it waits for its network's owner. True when it waits.
  note(container: Record<string, unknown>): boolean {
    const ip = container.primary_ip;
    if (typeof ip === "string" && ip !== "") {
      this.listed.push(container.uuid, ip, container.state);
      return false;
    }
    // An address of another type is the checks' to refuse (ip-invalid); only a missing one waits.
    if ((ip != null && ip !== "") || typeof sourceOf(container) !== "string") return false;
    this.waiting.push(container);
    return true;
  }

  // The owners of the noted addresses by uuid (lower-cased), read once from `listed`.
  private owners(): Map<string, Owner> {
    if (this.ipByUuid !== undefined) return this.ipByUuid;
    const owners = new Map<string, Owner>();
    const listed = this.listed;
    for (let i = 0; i < listed.length; i += 3) {
      const uuid = listed[i];
      const ip = listed[i + 1] as string;
      const state = listed[i + 2];
      // a uuid outside ASCII is no uuid (uuid-invalid), and could lower-case into another one
      const key = typeof uuid === "string" ? lowerAscii(uuid) : undefined;
      if (key === undefined) continue;
      const known = owners.get(key);
      const down = isServingState(state) ? null : { state };
      // the same container listed twice (Rancher 1.2-pre did so) has the same address: no ambiguity
      if (known === undefined) owners.set(key, { ip, down });
      else {
        if (known.ip !== ip) known.ip = AMBIGUOUS;
        known.down ??= down;
      }
    }
    this.ipByUuid = owners;
    return owners;
  }

  // A waiting container as the checks should see it: with its network owner's primary_ip when the list
  // has containers of that uuid with one address, all running, else as it is, with the reason of its
  // `no-ip` skip (`noIp`: the uuid names no container with an address, several with different ones, or
  // one that is not running).
  resolve(container: Record<string, unknown>): {
    container: Record<string, unknown>;
    noIp: string | null;
  } {
    const source = sourceOf(container);
    const key = typeof source === "string" ? lowerAscii(source) : undefined;
    const owner = key === undefined ? undefined : this.owners().get(key);
    const ip = owner?.ip;
    if (typeof ip === "string" && owner?.down === null)
      return { container: { ...container, primary_ip: ip }, noIp: null };
    const named = `no primary_ip, and network_from_container_uuid ${describeValue(source)}`;
    let noIp = `${named} names no container with one`;
    if (ip === AMBIGUOUS)
      noIp = `${named} names several containers with different addresses (uuids compared lower-cased): its network's owner is ambiguous`;
    else if (owner?.down)
      noIp = `${named} names a container whose state is ${describeValue(owner.down.state)}, not running: the network it shares is down`;
    return { container, noIp };
  }
}

// The uuid of the container whose network this one shares (unchecked).
function sourceOf(container: Record<string, unknown>): unknown {
  return container.network_from_container_uuid;
}
