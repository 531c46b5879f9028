// HAProxy 2.6.12's master CLI sometimes sends the whole answer to a batch line and never closes the
// connection: the read-back that went unanswered for 20 s in one CI run (readback-size.test.ts). Found by
// a probe of 2026-12-05 against a real master: about 1 batch line in 2 000 with answers of 50 KB–1.5 MB
// (`show servers state` of large backends), its `show proc` and closing empty line all received, then the
// master's end of the connection left open until it re-executes (10 such and its master CLI answered no
// more). The batch still fails (the fallback reload frees that connection), but its reason names the
// case instead of "no complete answer": here a stand-in master does that to every line.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { batchAnswerEnded } from "../src/haproxy/split-batch-answers.ts";
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
  serversState("a", 3000),
  'type=str, case=sensitive, found=no, idx=tree, key="x.example.com", value=none, type="str"',
  serversState("b", 5),
];
const TEXT = `${ANSWERS.map((answer) => `${answer.replace(/\n$/, "")}\n\n`).join("")}${PROC}`;

describe("batchAnswerEnded", () => {
  it("is true for the whole answer only, never for a part of it", () => {
    assert.equal(batchAnswerEnded(TEXT), true);
    for (let length = 0; length < TEXT.length; length++)
      assert.equal(batchAnswerEnded(TEXT.slice(0, length)), false, `the first ${length} characters`);
    assert.equal(batchAnswerEnded(PROC), true, "a line of show proc alone");
  });

  it("is false for a line the master dropped (an unknown pid: no show proc)", () => {
    assert.equal(batchAnswerEnded("Can't find the target PID matching the prefix '@!99999'\n"), false);
    assert.equal(batchAnswerEnded("\n\n"), false);
  });
});

describe("a master that sends the whole answer and never closes", () => {
  let dir = "";
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  /** the lines the stand-in received */
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "batch-unclosed-"));
    // Answers the line (once its newline came) in pieces, the closing empty line of show proc alone (or,
    // to a line of `cut`, without it), then keeps its end open whatever the client does (its half-close
    // included).
    server = createServer({ allowHalfOpen: true }, (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      let received = "";
      socket.on("data", (chunk: Buffer) => {
        received += chunk.toString("utf8");
        if (!received.endsWith("\n")) return;
        lines.push(received);
        const text = received.startsWith("@!4301 cut") ? TEXT.slice(0, -1) : TEXT;
        // Cut in a row, inside the first answer's empty line, and between the last two newlines.
        const cuts = [0, 1000, text.indexOf("\n\n") + 1, text.length - 2, text.length - 1, text.length];
        for (let index = 1; index < cuts.length; index++)
          socket.write(text.slice(cuts[index - 1], cuts[index]));
      });
    });
    await new Promise<void>((resolve) => server?.listen(join(dir, "master.sock"), resolve));
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  it("fails a line answered in full but left open, and says so", async () => {
    const batch = await sendWorkerCommands(join(dir, "master.sock"), COMMANDS, {
      timeoutMs: 500,
      expectedPid: 4301,
    });
    assert.equal(batch.ok, false);
    assert.match(
      batch.ok ? "" : batch.reason,
      /^a batch of 3 commands: Error: master CLI \S+: answered "@!4301 show servers state a;.*" in full but did not close the connection within 500 ms$/,
    );
    assert.deepEqual(lines, [`${COMMANDS.map((command) => `@!4301 ${command}`).join(";")};show proc\n`]);
  });

  it("still says no complete answer when the show proc has not ended", async () => {
    const batch = await sendWorkerCommands(join(dir, "master.sock"), ["cut"], {
      timeoutMs: 500,
      expectedPid: 4301,
    });
    assert.match(
      batch.ok ? "" : batch.reason,
      /: no complete answer to "@!4301 cut;show proc" within 500 ms$/,
    );
  });
});
