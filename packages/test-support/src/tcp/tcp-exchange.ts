// One client of an echo service through a proxy: connect, read the greeting (the server's name), then
// send messages and check each comes back whole. Any error, early close or timeout is a failure.
import { connect, type Socket } from "node:net";

// An open connection to an echo service: who answered, and a checked round trip.
export interface EchoConnection {
  readonly server: string;
  /** sends `message` and resolves once it came back byte for byte */
  roundTrip(message: string): Promise<void>;
  /** closes cleanly (FIN) and resolves once the peer closed too */
  end(): Promise<void>;
  destroy(): void;
}

// Opens a connection to 127.0.0.1:`port` and reads the greeting within `timeoutMs`.
export function openEchoConnection(port: number, timeoutMs = 5000): Promise<EchoConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let buffer = "";
    let waiter: { expect: string; done: (error?: Error) => void } | null = null;
    let closed: Error | null = null;
    const timer = setTimeout(() => fail(new Error(`no greeting within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      closed ??= error;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
      waiter?.done(error);
      waiter = null;
    };
    const peerClosed = () =>
      fail(new Error(`closed by the peer (received ${JSON.stringify(buffer.slice(0, 80))})`));
    socket.on("error", (error) => fail(error));
    socket.on("close", peerClosed);
    // The peer's FIN is its close: from then a write fails ("ended by the other party") until `close`
    // comes, so a round trip started in between failed with that error instead of this one.
    socket.on("end", peerClosed);
    socket.setEncoding("utf8");
    let server: string | null = null;
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (server === null) {
        const newline = buffer.indexOf("\n");
        if (newline === -1) return;
        server = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        clearTimeout(timer);
        resolve(connection(socket, server));
      }
      if (waiter !== null && buffer.length >= waiter.expect.length) {
        const { expect, done } = waiter;
        waiter = null;
        const got = buffer.slice(0, expect.length);
        buffer = buffer.slice(expect.length);
        done(got === expect ? undefined : new Error(`echo differs: ${JSON.stringify(got.slice(0, 80))}`));
      }
    });
    const connection = (open: Socket, name: string): EchoConnection => ({
      server: name,
      roundTrip: (message) =>
        new Promise<void>((done, failed) => {
          if (closed) return failed(closed);
          const bound = setTimeout(() => fail(new Error(`no echo within ${timeoutMs} ms`)), timeoutMs);
          waiter = {
            expect: message,
            done: (error) => {
              clearTimeout(bound);
              if (error) failed(error);
              else done();
            },
          };
          open.write(message);
        }),
      end: () =>
        new Promise<void>((done) => {
          open.removeAllListeners("close");
          open.removeAllListeners("error");
          open.off("end", peerClosed);
          open.on("error", () => undefined);
          open.once("close", () => done());
          open.end();
        }),
      destroy: () => open.destroy(),
    });
  });
}
