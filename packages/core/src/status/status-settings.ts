// The status listener's two settings, shared by both sidekicks (STATUS_PORT, STATUS_BIND): parsed once
// at each package's edge, which adds the flag or variable name to the error.
import { isIP } from "node:net";

// Where the status listener listens; port null: no listener (STATUS_PORT=off), 0: any free port.
export interface StatusSettings {
  port: number | null;
  bind: string;
  /** STATUS_TOKEN: bearer token for everything but /healthz (absent or null: no token) */
  token?: string | null;
}

// The bind address of a development run; the image sets STATUS_BIND=0.0.0.0.
export const DEFAULT_STATUS_BIND = "127.0.0.1";

// STATUS_PORT: `off` (no listener), 0 (an ephemeral port, logged in status.listening) or 1-65535.
export function parseStatusPort(value: string): number | null {
  const text = value.trim().toLowerCase();
  if (text === "off") return null;
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535))
    throw new Error("must be a port 1-65535, 0 for any free port, or off for no status listener");
  return port;
}

// STATUS_BIND: an IPv4 or IPv6 address to listen on (0.0.0.0 or :: for every interface).
export function parseStatusBind(value: string): string {
  const text = value.trim();
  if (isIP(text) === 0) throw new Error("must be an IPv4 or IPv6 address, e.g. 127.0.0.1 or 0.0.0.0");
  return text;
}

// How often prom-client's default metrics sample the event loop's delay (`nodejs_eventloop_lag_*`), in
// ms. Its default, 10, wakes an idle sidekick 100 times a second (≈ 1.4 ms of CPU a second measured on
// an idle generator); 10 samples a second still show a blocked loop.
export const EVENT_LOOP_SAMPLE_MS = 100;
