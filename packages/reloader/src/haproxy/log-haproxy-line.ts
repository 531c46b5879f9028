// HAProxy's own stdout/stderr lines into the reloader's structured log (event haproxy.output), at the
// level their tag says: [ALERT]/[EMERG] error, [WARNING] warn, the rest (notices, access logs) info.
import type { Logger } from "@rancher-haproxy/core";
import { maskSecrets } from "./find-offending-lines.js";

// Log one line.
export function logHaproxyLine(logger: Logger, stream: "stdout" | "stderr", line: string): void {
  const level = /\[(ALERT|EMERG)\]/.test(line) ? "error" : /\[WARNING\]/.test(line) ? "warn" : "info";
  // Alerts may quote config lines; access logs (stdout) are left as they are.
  const text = stream === "stderr" ? maskSecrets(line) : line;
  logger[level]({ event: "haproxy.output", stream, line: text }, "haproxy");
}
