// A TCP port nobody listens on right now, for HAProxy's listeners, chosen below the kernel's ephemeral
// range. A port from the ephemeral range (what binding port 0 gives) can be taken, between this check
// and HAProxy's bind, as the source port of any outgoing connection: the load tests running beside open
// thousands, and a CI run failed on `cannot bind socket (Address already in use)` that way.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

// The lowest port of the ephemeral range (Linux's default 32768 when it cannot be read).
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

// Whether `port` can be listened on now.
function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

// One free port on `host` (127.0.0.1 by default), picked at random in [10000, ephemeral low).
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const low = 10_000;
  const high = ephemeralLow();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port found below the ephemeral range (${low}..${high - 1}) on ${host}`);
}

// `count` distinct free ports.
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}
