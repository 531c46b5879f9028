// A TCP echo service on loopback, as a container of a `map-public-tcp` stack: it greets each connection
// with its name and a newline, then echoes every byte back. Counts the connections it accepted.
import { createServer, type Socket } from "node:net";

// The running service.
export interface EchoServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** connections accepted so far */
  readonly connections: number;
  close(): Promise<void>;
}

// Starts `name` on `host` (a 127.0.0.x address) and a free port.
export async function startEchoServer(options: { name: string; host: string }): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.write(`${options.name}\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    name: options.name,
    host: options.host,
    port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
