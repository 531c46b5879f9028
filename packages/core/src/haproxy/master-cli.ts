// One command on HAProxy's master CLI (unix socket): connect, send, half-close, read until it closes.
import { createConnection } from "node:net";

// Send `command` and resolve with the whole answer; rejects on connect errors or after timeoutMs.
export function sendMasterCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`master CLI ${socketPath}: no complete answer to "${command}" within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}
