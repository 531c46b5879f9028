// A flood of idle connections against a status listener, as a client sees it: those over the listener's
// cap are closed at once. Shared by both programs' status-listener tests.
import { connect, type Socket } from "node:net";

// Opens `connections` idle sockets to the listener at `url`, waits up to 2 s for the ones it closes,
// closes the rest and resolves with how many the listener closed.
export async function floodStatusListener(url: string, connections: number): Promise<number> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  try {
    const closed = await Promise.all(
      Array.from(
        { length: connections },
        () =>
          new Promise<Promise<boolean>>((resolve, reject) => {
            const socket = connect(Number(port), hostname);
            sockets.push(socket);
            socket.resume();
            const ended = new Promise<boolean>((done) => {
              socket.on("close", () => done(true));
              setTimeout(() => done(false), 2000).unref();
            });
            socket.on("error", () => undefined);
            socket.once("connect", () => resolve(ended));
            socket.once("error", reject);
          }),
      ),
    );
    return (await Promise.all(closed)).filter(Boolean).length;
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}
