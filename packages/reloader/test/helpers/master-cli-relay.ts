// A relay in front of a running master's CLI: HAProxy's <state>/master.sock is moved aside and the relay
// listens in its place, passing each command through, except a `reload` it is told to drop (held
// unanswered until the client gives up, never passed on: a reload the master never took), or told to stop
// listening once it answered the next `show proc` (its socket removed: the `reload` sent after it cannot
// connect, ENOENT) until it is reopened, or told to hold back the answer to the next command a test picks
// until it lets it go. It notes every command it receives. A re-execution of the master binds master.sock again, past the
// relay.
import { rename } from "node:fs/promises";
import { createConnection, createServer, type Socket } from "node:net";
import { join } from "node:path";

// The relay: `dropNextReload` arms it; `dropped` counts the reloads it held. `closeAfterNextShowProc`:
// the next `show proc` is answered, then nothing connects until `reopen`. `holdNext`: the next command
// `matches` picks is passed on at once, but its answer reaches the client only at `release` (`received`
// resolves once the relay has the command, `held` once the master answered). `commands`: every command
// received, in order, as the client wrote it (its final newline cut).
export interface MasterCliRelay {
  dropNextReload(): void;
  readonly dropped: number;
  closeAfterNextShowProc(): void;
  reopen(): Promise<void>;
  holdNext(matches: (command: string) => boolean): {
    received: Promise<void>;
    held: Promise<void>;
    release(): void;
  };
  readonly commands: readonly string[];
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
  const commands: string[] = [];
  let hold: {
    matches: (command: string) => boolean;
    arrived: () => void;
    came: () => void;
    go: Promise<void>;
  } | null = null;
  // `answered`, when given: the answer is kept until it resolves (called with the answer whole).
  const passOn = (client: Socket, command: Buffer, answered?: () => Promise<void>) => {
    const upstream = createConnection(real);
    const answer: Buffer[] = [];
    upstream.on("connect", () => upstream.end(command));
    upstream.on("data", (chunk: Buffer) => (answered ? answer.push(chunk) : client.write(chunk)));
    upstream.on("end", () => {
      if (!answered) return void client.end();
      void answered().then(() => client.end(Buffer.concat(answer)));
    });
    upstream.on("error", () => client.destroy());
  };
  const server = createServer({ allowHalfOpen: true }, (client: Socket) => {
    const chunks: Buffer[] = [];
    client.on("error", () => undefined);
    client.on("data", (chunk: Buffer) => chunks.push(chunk));
    client.on("end", () => {
      const command = Buffer.concat(chunks);
      const text = command.toString("utf8").replace(/\n$/, "");
      commands.push(text);
      if (hold?.matches(text) === true) {
        const { arrived, came, go } = hold;
        hold = null;
        arrived();
        held.push(client); // destroyed at the end of the test if never let go
        passOn(client, command, () => {
          came();
          return go;
        });
        return;
      }
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
      passOn(client, command);
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
    holdNext(matches) {
      let arrived = () => undefined as void;
      let came = () => undefined as void;
      let release = () => undefined as void;
      const received = new Promise<void>((resolve) => (arrived = resolve));
      const held = new Promise<void>((resolve) => (came = resolve));
      const go = new Promise<void>((resolve) => (release = resolve));
      hold = { matches, arrived, came, go };
      return { received, held, release };
    },
    commands,
  };
}
