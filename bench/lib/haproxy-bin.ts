// Where HAProxy and wrk are: Debian puts haproxy in /usr/sbin, which a non-root PATH may lack.
import { existsSync } from "node:fs";

// The haproxy executable.
export const HAPROXY_BIN = existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy";

// wrk when installed (Debian's `wrk` package), else null: the parts fall back to the Node client.
export function findWrk(): string | null {
  for (const path of ["/usr/bin/wrk", "/usr/local/bin/wrk"]) if (existsSync(path)) return path;
  return null;
}

// PATH for children that look haproxy up by name.
export const CHILD_PATH = `${process.env["PATH"] ?? "/usr/bin:/bin"}:/usr/sbin:/usr/local/sbin`;
