// HAProxy run in the foreground as our own child (`haproxy -f a -f b`), for the lookup-cost part:
// started, awaited until it accepts connections, and killed on cleanup.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { waitFor } from "@rancher-haproxy/test-support";
import type { Cleanup } from "./cleanup.js";
import { HAPROXY_BIN } from "./haproxy-bin.js";

// Start HAProxy with `configs` and wait until 127.0.0.1:<port> accepts a connection; its pid (`-db`:
// one process, its threads in it).
export async function startForegroundHaproxy(
  cleanup: Cleanup,
  configs: readonly string[],
  host: string,
  port: number,
): Promise<number> {
  const child = spawn(HAPROXY_BIN, ["-db", ...configs.flatMap((c) => ["-f", c])], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanup.add(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  await waitFor(async () => child.exitCode !== null || (await accepts(host, port)), {
    timeoutMs: 15_000,
    message: `haproxy on ${host}:${port}`,
  });
  if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode}: ${stderr}`);
  return child.pid ?? 0;
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
