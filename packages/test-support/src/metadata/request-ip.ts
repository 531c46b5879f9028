// The client IP the real server answers /self for.
import type { IncomingMessage } from "node:http";

// With --xff, the first X-Forwarded-For header as is (no list splitting, like Go's Header.Get);
// otherwise the peer address, IPv4-mapped IPv6 shown as IPv4 like Go's RemoteAddr.
export function requestIp(req: IncomingMessage, xff: boolean): string {
  if (xff) {
    const forwarded = req.headersDistinct["x-forwarded-for"]?.[0];
    if (forwarded !== undefined && forwarded !== "") return forwarded;
  }
  const address = req.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
