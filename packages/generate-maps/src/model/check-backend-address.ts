// Step 1's address check: a container's primary_ip becomes a server only when it is an ordinary address
// (never loopback, unspecified, link-local, multicast, broadcast or reserved) or, when backend networks
// are set, only when it is inside one of them (which may then explicitly allow a special range).
import {
  ipv4ToNumber,
  networkContains,
  parseCidr,
  specialAddressKind,
  type Ipv4Network,
} from "@rancher-haproxy/core";
import type { ContainerSkipCode } from "./reasons.js";

// Why an address is refused; undefined when it may be routed.
export interface AddressRefusal {
  code: Extract<ContainerSkipCode, "ip-special" | "ip-not-allowed">;
  reason: string;
}

// The networks of the backendNetworks setting, parsed once per table (undefined: no allow-list).
export interface BackendNetworks {
  cidrs: readonly string[];
  networks: readonly Ipv4Network[];
}

// Parses the allow-list (validated at the edge; anything unparsable here matches nothing).
export function parseBackendNetworks(cidrs: readonly string[] | undefined): BackendNetworks | undefined {
  if (cidrs === undefined) return undefined;
  const networks = cidrs.map(parseCidr).filter((network) => network !== undefined);
  return { cidrs, networks };
}

// Checks one dotted-quad address against the allow-list, or against the special ranges without one.
export function checkBackendAddress(
  ip: string,
  allowed: BackendNetworks | undefined,
): AddressRefusal | undefined {
  const address = ipv4ToNumber(ip);
  if (address === undefined) return { code: "ip-special", reason: `primary_ip ${ip} is not an IPv4 address` };
  if (allowed !== undefined) {
    const { networks } = allowed;
    for (let i = 0; i < networks.length; i++) {
      const network = networks[i];
      if (network !== undefined && networkContains(network, address)) return undefined;
    }
    const list = allowed.cidrs.join(", ") || "none";
    return { code: "ip-not-allowed", reason: `primary_ip ${ip} is outside the backend networks (${list})` };
  }
  const kind = specialAddressKind(address);
  return kind === undefined
    ? undefined
    : { code: "ip-special", reason: `primary_ip ${ip} is ${kind}, never a backend` };
}
