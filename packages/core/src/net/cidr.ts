// IPv4 networks in CIDR notation, and the address ranges that must never be a backend. Pure and total.

// One IPv4 network: the first address as a 32-bit number and the prefix length.
export interface Ipv4Network {
  base: number;
  bits: number;
}

const DOTTED =
  /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

// A dotted-quad address as an unsigned 32-bit number; undefined when it is not one.
export function ipv4ToNumber(text: string): number | undefined {
  if (!DOTTED.test(text)) return undefined;
  return text.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

// `a.b.c.d/n` (n 0-32, no host bits set) as a network; undefined for anything else.
export function parseCidr(text: string): Ipv4Network | undefined {
  const match = /^([0-9.]+)\/(0|[1-9][0-9]?)$/.exec(text);
  const base = match ? ipv4ToNumber(match[1] ?? "") : undefined;
  const bits = Number(match?.[2]);
  if (base === undefined || !(bits <= 32)) return undefined;
  return base % 2 ** (32 - bits) === 0 ? { base, bits } : undefined;
}

// True when the address (a 32-bit number) is inside the network.
export function networkContains(network: Ipv4Network, address: number): boolean {
  const size = 2 ** (32 - network.bits);
  return address >= network.base && address < network.base + size;
}

// Ranges no container address may route to unless a backend network allows it explicitly.
const SPECIAL: readonly [string, string][] = [
  ["0.0.0.0/8", "an unspecified (this-network) address"],
  ["127.0.0.0/8", "a loopback address"],
  ["169.254.0.0/16", "a link-local address"],
  ["224.0.0.0/4", "a multicast address"],
  ["255.255.255.255/32", "the broadcast address"],
  ["240.0.0.0/4", "a reserved address"],
];
const SPECIAL_NETWORKS = SPECIAL.map(([cidr, what]) => ({ network: parseCidr(cidr), what }));

// What kind of special address `address` is (e.g. "a loopback address"), or undefined for an ordinary one.
export function specialAddressKind(address: number): string | undefined {
  for (const { network, what } of SPECIAL_NETWORKS)
    if (network && networkContains(network, address)) return what;
  return undefined;
}
