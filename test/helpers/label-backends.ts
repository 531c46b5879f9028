// Backends the option-label end-to-end tests need beyond startBackend: one whose /healthz can be made to
// fail, and one that accepts a WebSocket upgrade and echoes what it gets. Closed when the test ends.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Owner } from "./e2e.ts";

// A running special backend: what the World needs, and the switch of its health check.
export interface LabelBackend {
  name: string;
  host: string;
  port: number;
  healthy: boolean;
  requests: number;
}

// Answers its name on every path; `/healthz` answers 200 while `healthy`, else 503.
export async function startCheckedBackend(t: Owner, name: string, host: string): Promise<LabelBackend> {
  const state = { healthy: true, requests: 0 };
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === "/healthz") {
      res.writeHead(state.healthy ? 200 : 503).end(state.healthy ? "ok" : "failing");
      return;
    }
    state.requests += 1;
    res.writeHead(200, { "content-type": "text/plain" }).end(name);
  });
  return listen(t, server, name, host, state);
}

// Accepts `Upgrade: websocket` (101 with a correct Sec-WebSocket-Accept), then echoes raw bytes.
export async function startEchoBackend(t: Owner, name: string, host: string): Promise<LabelBackend> {
  const state = { healthy: true, requests: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200).end(name);
  });
  server.on("upgrade", (req, socket: Socket) => {
    state.requests += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const key = String(req.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on("data", (data) => socket.write(data));
    socket.on("error", () => socket.destroy());
  });
  t.after(() => {
    for (const socket of sockets) socket.destroy();
  });
  return listen(t, server, name, host, state);
}

async function listen(
  t: Owner,
  server: Server,
  name: string,
  host: string,
  state: { healthy: boolean; requests: number },
): Promise<LabelBackend> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.closeIdleConnections?.();
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { name, host, port });
}
