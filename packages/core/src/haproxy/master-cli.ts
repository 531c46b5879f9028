// One command on HAProxy's master CLI (unix socket): connect, send, half-close, read until it closes.
import { createConnection } from "node:net";

// Send `command` and resolve with the whole answer; rejects on connect errors or after timeoutMs.
// `ended`, when given, tells from the text received whether the answer was whole: a timeout after a
// whole answer says so (HAProxy 2.6.12's master CLI sometimes sends a whole answer and never closes the
// connection, which it then holds until it re-executes: one of the 10 it serves at once).
export function sendMasterCommand(
  socketPath: string,
  command: string,
  timeoutMs = 5000,
  ended?: (text: string) => boolean,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      const shown = shownCommand(command);
      const whole = ended?.(Buffer.concat(chunks).toString("utf8")) ?? false;
      reject(
        new Error(
          whole
            ? `master CLI ${socketPath}: answered "${shown}" in full but did not close the connection within ${timeoutMs} ms`
            : `master CLI ${socketPath}: no complete answer to "${shown}" within ${timeoutMs} ms`,
        ),
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

// The command as an error may show it: its first line, cut. What follows a `<<` is a payload (a
// certificate and its private key for `set ssl cert`), and errors end up in log lines.
function shownCommand(command: string): string {
  const newline = command.indexOf("\n");
  const first = newline < 0 ? command : command.slice(0, newline);
  const cut = first.length > 200 ? `${first.slice(0, 200)}…` : first;
  return newline < 0 || newline === command.length - 1 ? cut : `${cut} (payload not shown)`;
}
