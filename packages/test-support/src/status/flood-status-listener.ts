// A flood of connections against a status listener, as a client sees it: those over the listener's cap
// are closed at once. Shared by both programs' status-listener tests.
import { connect, type Socket } from "node:net";

// A guard against a listener that neither answers nor closes: the test fails instead of hanging.
const DEADLINE_MS = 60_000;

// Opens `connections` sockets to the listener at `url`, then asks /healthz on each once all are open,
// and resolves with how many the listener closed unanswered. Each socket's fate is its own event (an
// answer: it was held; a close without one: it was dropped), not a time window: a listener stalled for
// 2 s after its first drop closed the others after a 2 s window had counted 1 of 6.
export async function floodStatusListener(url: string, connections: number): Promise<number> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  let deadline: NodeJS.Timeout | undefined;
  try {
    // Whether each socket was closed unanswered (true) or answered (false), once it is one of them.
    const fates: Promise<boolean>[] = [];
    await Promise.all(
      Array.from({ length: connections }, () => {
        const socket = connect(Number(port), hostname);
        sockets.push(socket);
        socket.on("error", () => undefined);
        fates.push(
          new Promise<boolean>((done) => {
            socket.once("data", () => done(false));
            socket.once("close", () => done(true));
          }),
        );
        return new Promise<void>((resolve, reject) => {
          socket.once("connect", resolve);
          socket.once("error", reject);
        });
      }),
    );
    for (const socket of sockets) socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
    const unresolved = new Promise<never>((_, reject) => {
      deadline = setTimeout(
        () =>
          reject(
            new Error(`${connections} connections: not all answered or closed in ${DEADLINE_MS / 1000} s`),
          ),
        DEADLINE_MS,
      );
    });
    const closed = await Promise.race([Promise.all(fates), unresolved]);
    return closed.filter(Boolean).length;
  } finally {
    clearTimeout(deadline);
    for (const socket of sockets) socket.destroy();
  }
}
