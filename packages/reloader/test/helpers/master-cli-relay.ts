// A relay in front of a running master's CLI: HAProxy's <state>/master.sock is moved aside and the relay
// listens in its place, passing each command through, except a `reload` it is told to drop (held
// unanswered until the client gives up, never passed on: a reload the master never took), or told to stop
// listening once it answered the next `show proc` (its socket removed: the `reload` sent after it cannot
// connect, ENOENT) until it is reopened. A re-execution of the master binds master.sock again, past the relay.
import { rename } from "node:fs/promises";
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";

// The relay: `dropNextReload` arms it; `dropped` counts the reloads it held. `closeAfterNextShowProc`:
// the next `show proc` is answered, then nothing connects until `reopen`.
export interface MasterCliRelay {
  dropNextReload(): void;
  readonly dropped: number;
  closeAfterNextShowProc(): void;
  reopen(): Promise<void>;
}

// Starts the relay for the master of `stateDir`; it is closed when the test ends (`defer`).
export async function relayMasterCli(
  stateDir: string,
  defer: (fn: () => unknown) => void,
): Promise<MasterCliRelay> {
  const socket = join(stateDir, "master.sock");
  const real = join(stateDir, "master.real.sock");
  await rename(socket, real);
  let drop = false;
  let dropped = 0;
  let closeAfterShowProc = false;
  const held: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (client: Socket) => {
    const chunks: Buffer[] = [];
    client.on("error", () => undefined);
    client.on("data", (chunk: Buffer) => chunks.push(chunk));
    client.on("end", () => {
      const command = Buffer.concat(chunks);
      if (drop && command.toString("utf8").startsWith("reload")) {
        drop = false;
        dropped += 1;
        held.push(client);
        return; // held: never answered, never passed on
      }
      if (closeAfterShowProc && command.toString("utf8").startsWith("show proc")) {
        closeAfterShowProc = false;
        server.close(); // unlinks the socket at once, before this answer is passed on
      }
      const upstream = createConnection(real);
      upstream.on("connect", () => upstream.end(command));
      upstream.on("data", (chunk: Buffer) => client.write(chunk));
      upstream.on("end", () => client.end());
      upstream.on("error", () => client.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  defer(
    () =>
      new Promise((resolve) => {
        for (const client of held) client.destroy();
        server.close(resolve);
      }),
  );
  return {
    dropNextReload: () => void (drop = true),
    get dropped() {
      return dropped;
    },
    closeAfterNextShowProc: () => void (closeAfterShowProc = true),
    reopen: () => new Promise<void>((resolve) => server.listen(socket, resolve)),
  };
}
