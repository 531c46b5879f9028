// HAProxy 2.6.12's master CLI sometimes sends the whole answer to a batch line and never closes the
// connection: the read-back that went unanswered for 20 s in one CI run (readback-size.test.ts). Found by
// a probe of 2026-12-05 against a real master: about 1 batch line in 2 000 with answers of 50 KB–1.5 MB
// (`show servers state` of large backends) followed by the master's own `show proc` on the same line, all
// of it received, then the master's end of the connection left open until it re-executes (10 such and
// its master CLI answered no more); no such stall in ≈ 120 000 large lines of worker commands alone, of
// one worker command and `show proc`, or of `show proc` alone. So a batch line carries worker commands
// only and `show proc` follows on a connection of its own. Here a stand-in master stalls on every line
// that holds both; a connection answered in full but left open still fails the batch (the fallback reload
// frees it), and its reason names the case and which of the two connections it was.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { batchAnswerEnded, procAnswerEnded } from "../src/haproxy/split-batch-answers.ts";
import { sendWorkerCommands } from "../src/haproxy/worker-commands.ts";

// Captured from HAProxy 2.6.12's master CLI (after a reload, with the old worker still draining).
const PROC = `#<PID>          <type>          <reloads>       <uptime>        <version>
4243            master          1 [failed: 0]   0d00h00m09s     2.6.12-1+deb12u4
# workers
4301            worker          0               0d00h00m02s     2.6.12-1+deb12u4
# old workers
4244            worker          1               0d00h00m09s     2.6.12-1+deb12u4
# programs

`;

// `show servers state <backend>` as 2.6.12 prints it, one row per slot.
function serversState(backend: string, slots: number): string {
  const rows = Array.from(
    { length: slots },
    (_, i) => `3 ${backend} ${i + 1} s${i + 1} 127.0.0.1 0 5 1 1 3 1 0 0 8 0 0 0 - 1 - 0 0 - - 0`,
  );
  return `1\n# be_id be_name srv_id srv_name srv_addr srv_op_state\n${rows.join("\n")}\n`;
}

const COMMANDS = ["show servers state a", "get map domain.map x.example.com", "show servers state b"];
const ANSWERS = [
  serversState("a", 40),
  'type=str, case=sensitive, found=no, idx=tree, key="x.example.com", value=none, type="str"',
  serversState("b", 5),
];
const TEXT = ANSWERS.map((answer) => `${answer.replace(/\n$/, "")}\n\n`).join("");
const LINE = `${COMMANDS.map((command) => `@!4301 ${command}`).join(";")}\n`;

describe("batchAnswerEnded and procAnswerEnded", () => {
  it("are true for the whole answer only, never for a part of it", () => {
    const ended = batchAnswerEnded(COMMANDS.length);
    assert.equal(ended(TEXT), true);
    for (let length = 0; length < TEXT.length; length++)
      assert.equal(ended(TEXT.slice(0, length)), false, `the first ${length} characters`);
    assert.equal(procAnswerEnded(PROC), true);
    for (let length = 0; length < PROC.length; length++)
      assert.equal(
        procAnswerEnded(PROC.slice(0, length)),
        false,
        `the first ${length} characters of show proc`,
      );
    assert.equal(batchAnswerEnded(2)("\n\n"), true, "two empty answers");
  });

  it("are false for a line the master dropped (an unknown pid) and for answers of another count", () => {
    assert.equal(batchAnswerEnded(1)("\nCan't find the target PID matching the prefix '@!99999'\n"), false);
    assert.equal(batchAnswerEnded(1)("\nCan't find the target PID matching the prefix '@!99999'\n\n"), false);
    assert.equal(batchAnswerEnded(COMMANDS.length + 1)(TEXT), false);
    assert.equal(
      procAnswerEnded(`${TEXT}${PROC}`),
      false,
      "show proc after worker answers is not its own line",
    );
  });
});

describe("a master that stalls when worker commands and show proc share a line", () => {
  let dir = "";
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  /** the lines the stand-in received, in order */
  const lines: string[] = [];
  /** what the stand-in does: hold a connection open after its whole answer, cut it, or reload */
  let mode: "answer" | "hold-line" | "cut-line" | "hold-proc" | "reload-between" = "answer";
  let current = 4301;

  // Write `text` in pieces (cut in a row, inside the first empty line, between the last two newlines),
  // then close the connection unless `hold`.
  function send(socket: Socket, text: string, hold: boolean): void {
    const cuts = [0, 1000, text.indexOf("\n\n") + 1, text.length - 2, text.length - 1, text.length]
      .map((cut) => Math.min(cut, text.length))
      .sort((a, b) => a - b);
    for (let index = 1; index < cuts.length; index++) socket.write(text.slice(cuts[index - 1], cuts[index]));
    if (!hold) socket.end();
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "batch-unclosed-"));
    server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      let received = "";
      socket.on("data", (chunk: Buffer) => {
        received += chunk.toString("utf8");
        if (!received.endsWith("\n")) return;
        lines.push(received);
        const proc = PROC.replace("4301", String(current));
        if (received === "show proc\n") return send(socket, proc, mode === "hold-proc");
        // HAProxy 2.6.12's stall: the whole answer, then the connection kept open whatever the client does.
        if (received.includes("@!") && received.includes("show proc"))
          return send(socket, `${TEXT}${proc}`, true);
        send(
          socket,
          mode === "cut-line" ? TEXT.slice(0, -1) : TEXT,
          mode === "hold-line" || mode === "cut-line",
        );
        if (mode === "reload-between") current = 4302;
      });
    });
    await new Promise<void>((resolve) => server?.listen(join(dir, "master.sock"), resolve));
  });

  beforeEach(() => {
    lines.length = 0;
    mode = "answer";
    current = 4301;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  const send3 = () =>
    sendWorkerCommands(join(dir, "master.sock"), COMMANDS, { timeoutMs: 500, expectedPid: 4301 });

  it("never sends that shape: the line holds the worker commands, show proc comes on its own connection", async () => {
    const batch = await send3();
    assert.ok(batch.ok, batch.ok ? "" : batch.reason);
    assert.deepEqual(
      batch.answers.map((answer) => answer.answer),
      ANSWERS.map((answer) => answer.replace(/\n$/, "")),
    );
    assert.deepEqual(lines, [LINE, "show proc\n"]);
  });

  it("fails a line answered in full but left open, says so, and sends no show proc", async () => {
    mode = "hold-line";
    const batch = await send3();
    assert.match(
      batch.ok ? "" : batch.reason,
      /^a batch of 3 commands: Error: master CLI \S+: answered "@!4301 show servers state a;.*" in full but did not close the connection within 500 ms$/,
    );
    assert.deepEqual(lines, [LINE]);
  });

  it("still says no complete answer when the line's last answer has not ended", async () => {
    mode = "cut-line";
    const batch = await send3();
    assert.match(
      batch.ok ? "" : batch.reason,
      /^a batch of 3 commands: .*: no complete answer to "@!4301 show/,
    );
  });

  it("fails when the show proc after the line is answered in full but left open, and says which part", async () => {
    mode = "hold-proc";
    const batch = await send3();
    assert.match(
      batch.ok ? "" : batch.reason,
      /^the show proc after a batch of 3 commands: Error: master CLI \S+: answered "show proc" in full but did not close the connection within \d+ ms$/,
    );
  });

  it("fails when the master reloaded between the line and its show proc", async () => {
    mode = "reload-between";
    const batch = await send3();
    assert.equal(
      batch.ok ? "" : batch.reason,
      "the batch reached worker 4301, but the current worker is 4302",
    );
    assert.deepEqual(lines, [LINE, "show proc\n"]);
  });
});
