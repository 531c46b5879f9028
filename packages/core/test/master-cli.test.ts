// sendMasterCommand against a unix socket that never answers: the timeout's error names the command but
// never its payload (a `set ssl cert` carries the certificate's private key, and errors reach the logs).
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { sendMasterCommand } from "../src/index.js";
import { tempDir } from "./helpers.js";

test("a command that times out is named in the error by its first line only, never its payload", async (t) => {
  const socketPath = join(await tempDir(t, "core-master-"), "master.sock");
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket)); // reads, never answers
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(() => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
  });
  const key = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
  const command = `@!123 set ssl cert /state/certs/a.pem <<\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n${key}\n`;
  await assert.rejects(sendMasterCommand(socketPath, command, 100), (error: unknown) => {
    const message = String(error);
    assert.match(
      message,
      /no complete answer to "@!123 set ssl cert \/state\/certs\/a\.pem << \(payload not shown\)"/,
    );
    assert.doesNotMatch(message, /PRIVATE KEY|MIIEvQ|CERTIFICATE/);
    return true;
  });
  await assert.rejects(
    sendMasterCommand(socketPath, "show proc", 100),
    /no complete answer to "show proc" within/,
  );
  const long = `show servers state ${"b".repeat(300)}`;
  await assert.rejects(sendMasterCommand(socketPath, long, 100), (error: unknown) => {
    assert.match(String(error), new RegExp(`"show servers state ${"b".repeat(181)}…" within`));
    return true;
  });
});

// HAProxy 2.6.12's master CLI sometimes sends a whole answer and never closes the connection (about 1
// batch line in 2 000 with large answers, probe of 2026-12-05): with `ended`, the timeout says so.
test("with ended, a timeout after a whole answer says the master did not close the connection", async (t) => {
  const socketPath = join(await tempDir(t, "core-master-"), "master.sock");
  const sockets: Socket[] = [];
  // Answers "whole" with an answer `ended` accepts and anything else with one it does not; never closes.
  // An answer written after the client timed out and hung up fails (ECONNRESET): no uncaught error.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      socket.write(chunk.toString("utf8").startsWith("whole") ? "first\n\nsecond\n\n" : "first\n\n");
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(() => {
    sockets.forEach((socket) => socket.destroy());
    server.close();
  });
  const ended = (text: string) => text.endsWith("second\n\n");
  // The answer must be read before the timeout fires: the server is this process, and stalled past 200 ms
  // (a loaded machine) it fired the timer before the answer was read. The two cases after end as they do
  // whether or not their answer was read.
  await assert.rejects(
    sendMasterCommand(socketPath, "whole", 2000, ended),
    /: answered "whole" in full but did not close the connection within 2000 ms$/,
  );
  await assert.rejects(
    sendMasterCommand(socketPath, "part", 200, ended),
    /: no complete answer to "part" within 200 ms$/,
  );
  await assert.rejects(
    sendMasterCommand(socketPath, "whole", 200),
    /: no complete answer to "whole" within 200 ms$/,
  );
});
