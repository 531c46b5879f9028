// Moving a tree's addresses onto loopback, so tests never send traffic to the recording's 10.x/192.168.x.
import type { Tree } from "./types.js";

// The recorded scenario on loopback: containers onto 127.0.0.x, the hosts' agent IPs (the default
// syslog target) onto 127.0.0.250/251 where nothing listens. The sidekick keeps 127.0.0.1.
export const LOOPBACK_REMAP: Readonly<Record<string, string>> = Object.freeze({
  "10.42.10.11": "127.0.0.11",
  "10.42.10.12": "127.0.0.12",
  "10.42.20.21": "127.0.0.21",
  "10.42.20.22": "127.0.0.22",
  "10.42.25.11": "127.0.0.25",
  "10.42.30.31": "127.0.0.31",
  "10.42.0.10": "127.0.0.10",
  "10.42.99.99": "127.0.0.99",
  "192.168.1.10": "127.0.0.250",
  "192.168.1.11": "127.0.0.251",
});

// A deep copy of `tree` with every IP of `mapping` replaced wherever it stands as a whole address in a
// string value (primary_ip, ips, agent_ip, "ip:port:port/proto" bindings, ...). Keys are kept.
export function remapIps<T = Tree>(tree: T, mapping: Readonly<Record<string, string>> = LOOPBACK_REMAP): T {
  const ips = Object.keys(mapping).sort((a, b) => b.length - a.length);
  if (ips.length === 0) return structuredClone(tree);
  const pattern = new RegExp(
    `(?<![0-9.])(${ips.map((ip) => ip.replace(/\./g, "\\.")).join("|")})(?![0-9]|\\.[0-9])`,
    "g",
  );
  const memo = new Map<object, unknown>();
  const copy = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(pattern, (ip) => mapping[ip] ?? ip);
    if (typeof v !== "object" || v === null) return v;
    const seen = memo.get(v);
    if (seen !== undefined) return seen;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      memo.set(v, out);
      for (const item of v) out.push(copy(item));
      return out;
    }
    const out: Record<string, unknown> = {};
    memo.set(v, out);
    for (const [key, value] of Object.entries(v)) {
      Object.defineProperty(out, key, {
        value: copy(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return copy(tree) as T;
}
