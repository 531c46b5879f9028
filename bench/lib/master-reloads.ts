// HAProxy's own reload counter: `show proc` on the reloader's master CLI (<state dir>/master.sock), so
// reloads per change are counted by HAProxy itself, whatever the reloader logs.
import { createConnection } from "node:net";
import { join } from "node:path";
import { parseShowProc } from "@rancher-haproxy/reloader";

// The master's reload count now.
export async function masterReloads(stateDir: string): Promise<number> {
  const answer = await ask(join(stateDir, "master.sock"), "show proc");
  const info = parseShowProc(answer);
  if (!info) throw new Error(`unexpected show proc answer: ${answer.slice(0, 200)}`);
  return info.reloads;
}

function ask(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(socketPath);
    socket.setTimeout(5000, () => socket.destroy(new Error(`${socketPath}: no answer to ${command}`)));
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}
