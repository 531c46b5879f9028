// Stable UUIDs for generated trees: the same names always give the same uuid.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

// A version-4-shaped UUID from a 128-bit hash of the parts (so a spec builds the same tree twice).
// Not cryptographic: a fast multiply-xor hash, enough to keep 50 000 generated names apart.
export function deterministicUuid(...parts: Array<string | number>): string {
  const text = parts.join("\0");
  let h1 = 0x6a09e667;
  let h2 = 0xbb67ae85;
  let h3 = 0x3c6ef372;
  let h4 = 0xa54ff53a;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 0x239b961b);
    h2 = h3 ^ Math.imul(h2 ^ k, 0xab0e9789);
    h3 = h4 ^ Math.imul(h3 ^ k, 0x38b34ae5);
    h4 = h1 ^ Math.imul(h4 ^ k, 0xa1e38b93);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 0x239b961b);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 0xab0e9789);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 0x38b34ae5);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 0xa1e38b93);
  h1 ^= h2 ^ h3 ^ h4;
  const b = hex8(h2 ^ h1);
  const c = hex8(h3 ^ h1);
  const variant = "89ab".charAt(((h3 ^ h1) >>> 28) & 3);
  return `${hex8(h1)}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${hex8(h4 ^ h1)}`;
}

function hex8(h: number): string {
  return (HEX[h >>> 24] as string) + HEX[(h >>> 16) & 255] + HEX[(h >>> 8) & 255] + HEX[h & 255];
}

// The fake MAC Rancher-style containers get: 02:2c:7e plus the last three octets of the IPv4 address.
export function macForIp(ip: string | null): string | null {
  const octets = ip?.split(".");
  if (octets === undefined || octets.length !== 4) return null;
  return `02:2c:7e:${HEX[Number(octets[1]) & 255]}:${HEX[Number(octets[2]) & 255]}:${HEX[Number(octets[3]) & 255]}`;
}

// The uuid the tree builder gives a container of `stack`/`service` named `name` when its spec has none.
export function containerUuid(stack: string, service: string, name: string): string {
  return deterministicUuid("container", stack, service, name);
}
