// One command on an HAProxy stats (admin) socket: connect, send, half-close, read the whole answer.
import { createConnection } from "node:net";

// Resolves with the answer; rejects on a socket error or after 5 s.
export function sendAdminCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to ${command.split("\n")[0]}`)), 5000);
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}
