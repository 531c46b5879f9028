// Containers that share another container's network (`net: container:<primary>`, a sidekick's usual way
// to reach its primary on localhost): since Rancher 1.2 metadata gives them no primary_ip of their own,
// and the primary's uuid in network_from_container_uuid. Their address is the primary's, as Rancher's DNS
// answers it. Before, such a labelled sidekick was skipped as `no-ip`. Pure and total.

// The addresses of the list by container uuid (lower-cased), and the containers waiting for one.
export class NetworkFromAddresses {
  private readonly ipByUuid = new Map<string, string>();
  /** containers with no primary_ip and a network_from_container_uuid */
  readonly waiting: Record<string, unknown>[] = [];

  // Notes one container: its own address, or that it waits for its network's owner. True when it waits.
  note(container: Record<string, unknown>): boolean {
    const ip = container.primary_ip;
    if (typeof ip === "string" && ip !== "") {
      const uuid = container.uuid;
      if (typeof uuid === "string") this.ipByUuid.set(uuid.toLowerCase(), ip);
      return false;
    }
    // An address of another type is the checks' to refuse (ip-invalid); only a missing one waits.
    if ((ip != null && ip !== "") || typeof sourceOf(container) !== "string") return false;
    this.waiting.push(container);
    return true;
  }

  // A waiting container as the checks should see it: with its network owner's primary_ip when the list
  // has a container of that uuid with one, else as it is (then `no-ip`, the reason naming the uuid).
  resolve(container: Record<string, unknown>): {
    container: Record<string, unknown>;
    missing: string | null;
  } {
    const source = sourceOf(container);
    const ip = typeof source === "string" ? this.ipByUuid.get(source.toLowerCase()) : undefined;
    if (ip !== undefined) return { container: { ...container, primary_ip: ip }, missing: null };
    return { container, missing: String(source) };
  }
}

// The uuid of the container whose network this one shares (unchecked).
function sourceOf(container: Record<string, unknown>): unknown {
  return container.network_from_container_uuid;
}
