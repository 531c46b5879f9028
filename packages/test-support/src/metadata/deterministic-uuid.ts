// Stable UUIDs for generated trees: the same names always give the same uuid.
import { createHash } from "node:crypto";

// A version-4-shaped UUID derived from the SHA-1 of the parts (so a spec builds the same tree twice).
export function deterministicUuid(...parts: Array<string | number>): string {
  const h = createHash("sha1").update(parts.join("\0")).digest("hex");
  const variant = (8 | (parseInt(h.charAt(16), 16) & 3)).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// The fake MAC Rancher-style containers get: 02:2c:7e plus the last three octets of the IPv4 address.
export function macForIp(ip: string | null): string | null {
  const octets = ip?.split(".");
  if (octets === undefined || octets.length !== 4) return null;
  const hex = octets.slice(1).map((o) => (Number(o) & 255).toString(16).padStart(2, "0"));
  return `02:2c:7e:${hex.join(":")}`;
}
