// The addresses metadata's agent_ip may not make HAProxy's syslog target: HAProxy takes any IP literal
// (`log 224.0.0.1 daemon` passes `haproxy -c`) and sends every access log line there by UDP, so a
// multicast answer sent them to every host on the link and a broadcast or unspecified one nowhere, said
// to no one. Loopback and IPv4 link-local stay allowed: a syslog on the host (and the tests' stand-in)
// uses them.
import { BlockList } from "node:net";

const RANGES: readonly [string, number, "ipv4" | "ipv6", string][] = [
  ["0.0.0.0", 8, "ipv4", "an unspecified (this-network) address"],
  ["::", 128, "ipv6", "the unspecified address"],
  ["224.0.0.0", 4, "ipv4", "a multicast address"],
  ["ff00::", 8, "ipv6", "a multicast address"],
  ["255.255.255.255", 32, "ipv4", "the broadcast address"],
  ["240.0.0.0", 4, "ipv4", "a reserved address"],
  // reached only through a zone (`fe80::1%eth0`), which HAProxy refuses in an address
  ["fe80::", 10, "ipv6", "an IPv6 link-local address (it needs a zone)"],
];

const LISTS = RANGES.map(([network, prefix, type, what]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, what };
});

// What kind of address `ip` (an IP literal, isConfigAddress) is when it is no host a log may go to,
// e.g. "a multicast address" (IPv4-mapped IPv6 forms included); undefined for a host's address.
export function noLogHostKind(ip: string): string | undefined {
  const type = ip.includes(":") ? "ipv6" : "ipv4";
  return LISTS.find(({ list }) => list.check(ip, type))?.what;
}
