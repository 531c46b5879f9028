// IPv4 networks in CIDR notation, and the address ranges that must never be a backend. Pure and total.

// One IPv4 network: the first address as a 32-bit number and the prefix length.
export interface Ipv4Network {
  base: number;
  bits: number;
}

// A dotted-quad address as an unsigned 32-bit number; undefined when it is not one (four octets 0-255
// without leading zeros). One pass over the characters: it runs for every container of every cycle.
export function ipv4ToNumber(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots += 1;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + (code - 48);
      digits += 1;
      if (octet > 255) return undefined;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
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
