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
