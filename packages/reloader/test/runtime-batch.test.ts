// Master-CLI batches (one line of `@!<pid>` commands, then `show proc` on its own connection): the line cutting and the
// answer splitting as pure functions, then against a real HAProxy 2.6 master (-W -S): an error answer in
// the middle (and applyRuntime's outcome for it), an unknown pid, a worker that is no longer the current
// one, a plan over the size limit.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { currentWorker, parseShowProc, sendMasterCommand } from "@rancher-haproxy/core";
import { freePort, waitFor } from "../../test-support/src/haproxy/index.ts";
import { batchLines, MAX_BATCH_BYTES } from "../src/haproxy/batch-lines.ts";
import { spawnHaproxy, type HaproxyChild } from "../src/haproxy/spawn-haproxy.ts";
import { splitBatchAnswers } from "../src/haproxy/split-batch-answers.ts";
import { sendWorkerCommands } from "../src/haproxy/worker-commands.ts";
import { parseServersState } from "../src/haproxy/parse-servers-state.ts";
import { serverCommand } from "../src/haproxy/runtime-commands.ts";
import type { HaproxySupervisor } from "../src/haproxy/haproxy-supervisor.ts";
import type { ServerOp } from "../src/model/plan-update.ts";
import { applyRuntime } from "../src/reload/apply-runtime.ts";

describe("batchLines", () => {
  it("addresses every command to the pid and keeps the order; show proc is not on the line", () => {
    const result = batchLines(["set server a/s1 state maint", "set server a/s1 state ready"], 42);
    assert.ok(result.ok);
    assert.deepEqual(
      result.lines.map((line) => line.line),
      ["@!42 set server a/s1 state maint;@!42 set server a/s1 state ready"],
    );
  });

  it("cuts a long plan into lines under the limit, in order, none empty", () => {
    const commands = Array.from({ length: 900 }, (_, i) => `set server backend-${i}/s1 state ready`);
    const result = batchLines(commands, 123456);
    assert.ok(result.ok);
    assert.ok(result.lines.length >= 3);
    for (const line of result.lines) {
      assert.ok(Buffer.byteLength(`${line.line}\n`) <= MAX_BATCH_BYTES);
      assert.ok(line.commands.length > 0);
    }
    assert.deepEqual(
      result.lines.flatMap((line) => line.commands),
      commands,
    );
  });

  it("refuses a command that would cut or join commands, an empty one and one over the limit", () => {
    for (const bad of ["a;b", "a\nb", "a\\", " ", "x".repeat(MAX_BATCH_BYTES)])
      assert.equal(batchLines(["set server a/s1 state maint", bad], 1).ok, false, JSON.stringify(bad));
  });
});

describe("splitBatchAnswers", () => {
  it("splits on the empty line after each answer, an error in the middle included", () => {
    const text = `\nNo such server.\n\nIP changed from '1' to '2' by 'stats socket command'\n\n\n`;
    const split = splitBatchAnswers(text, 4);
    assert.ok(split.ok);
    assert.deepEqual(split.answers, [
      "",
      "No such server.",
      "IP changed from '1' to '2' by 'stats socket command'",
      "",
    ]);
  });

  it("fails on an unknown pid (the master drops the rest), an unterminated answer and another count", () => {
    const unknown = "\nCan't find the target PID matching the prefix '@!99999'\n";
    const failed = splitBatchAnswers(unknown, 3);
    assert.ok(!failed.ok);
    assert.match(failed.reason, /Can't find the target PID/);
    const closed = `\n\nCan't find the target PID matching the prefix '@!9'\n\n`;
    assert.equal(splitBatchAnswers(closed, 3).ok, false, "that line fails the batch wherever it comes");
    assert.equal(splitBatchAnswers(`\n\nNo such server.\n`, 3).ok, false);
    assert.equal(splitBatchAnswers(`\n\nNo such server.`, 3).ok, false);
    assert.equal(splitBatchAnswers(`\n\n`, 3).ok, false);
    assert.equal(splitBatchAnswers(`\n\n\n\n`, 3).ok, false);
    assert.equal(splitBatchAnswers(`\n\n\n`, 3).ok, true);
  });

  it("fails on the master's other line-ending errors and on a cut answer, with no show proc to miss", () => {
    // HAProxy 2.6's master ends a line with "Can't connect to the target CLI!\n" (no empty line) when
    // the worker's socket pair fails, e.g. an old worker exiting mid-line; a worker answer cut short
    // loses its empty line. Since show proc left the line, only the split itself catches these.
    const cannotConnect = "Can't connect to the target CLI!\n";
    assert.equal(splitBatchAnswers(`No such server.\n\n${cannotConnect}`, 2).ok, false, "after an answer");
    // After the last answer the count is right: only the line left without its empty line tells.
    assert.equal(splitBatchAnswers(`No such server.\n\n${cannotConnect}`, 1).ok, false, "after the last");
    assert.equal(splitBatchAnswers(`1\n# be_id\n${cannotConnect}`, 1).ok, false, "inside an answer");
    const unknown = "Can't find the target PID matching the prefix '@!9'\n";
    assert.equal(splitBatchAnswers(`1\n# be_id\n3 a 1 s1${unknown}`, 1).ok, false, "mid-line");
    // The first answer cut after a whole row, the second whole: one empty line for two commands.
    assert.equal(splitBatchAnswers(`1\n# be_id\n3 a 1 s1\nNo such server.\n\n`, 2).ok, false, "a cut answer");
  });
});

describe("batches on a real HAProxy master", () => {
  let dir = "";
  let haproxy: HaproxyChild | null = null;
  let socket = "";
  let port = 0;
  const workerPid = async () => {
    const info = parseShowProc(await sendMasterCommand(socket, "show proc"));
    return info ? (currentWorker(info)?.pid ?? null) : null;
  };
  const servers = async (pid: number) => {
    const read = await sendWorkerCommands(socket, ["show servers state b"], { expectedPid: pid });
    assert.ok(read.ok, "the read-back answers");
    return parseServersState(read.answers[0]?.answer ?? "", "b");
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "runtime-batch-"));
    socket = join(dir, "master.sock");
    port = await freePort();
    const config = [
      "defaults",
      "  mode http",
      "  timeout connect 1s",
      "  timeout client 10s",
      "  timeout server 10s",
      "frontend f",
      `  bind 127.0.0.1:${port}`,
      "  default_backend b",
      "backend b",
      "  server s1 127.0.0.1:1 disabled",
      "  server s2 127.0.0.1:2 disabled",
      "",
    ].join("\n");
    await writeFile(join(dir, "haproxy.cfg"), config);
    haproxy = await spawnHaproxy(
      "haproxy",
      ["-W", "-S", `${socket},mode,600`, "-f", join(dir, "haproxy.cfg")],
      () => undefined,
    );
    await waitFor(workerPid, { timeoutMs: 5000, message: "the first worker" });
  });

  after(async () => {
    haproxy?.signal("SIGTERM");
    await haproxy?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  it("answers every step in order; an error in the middle fails its allow-list, the rest still run", async () => {
    const pid = (await workerPid()) ?? 0;
    // Slot 0 is b/s1; slot 8 (b/s9) does not exist: "No such server." in the middle of the batch.
    const steps = [
      serverCommand({ backend: "b", slot: 0, action: "maint" }),
      serverCommand({ backend: "b", slot: 8, action: "maint" }),
      serverCommand({ backend: "b", slot: 0, action: "shutdown" }),
      serverCommand({ backend: "b", slot: 0, action: "addr", address: "127.0.0.7", port: 8007 }),
      serverCommand({ backend: "b", slot: 0, action: "ready" }),
    ];
    const batch = await sendWorkerCommands(
      socket,
      steps.map((step) => step.command),
      { expectedPid: pid },
    );
    assert.ok(batch.ok, "the batch comes back whole");
    assert.deepEqual(
      batch.answers.map((answer) => answer.command),
      steps.map((step) => step.command),
    );
    assert.equal(batch.answers[1]?.answer, "No such server.");
    assert.match(batch.answers[3]?.answer ?? "", /^IP changed from '127\.0\.0\.1' to '127\.0\.0\.7'/);
    assert.deepEqual(
      steps.map((step, index) => step.expected(batch.answers[index]?.answer ?? "")),
      [true, false, true, true, true],
      "only the step in error fails its allow-list (apply-runtime.ts then falls back to a reload)",
    );
    const s1 = (await servers(pid)).find((server) => server.name === "s1");
    assert.deepEqual([s1?.address, s1?.port, s1?.ready], ["127.0.0.7", 8007, true]);
  });

  it("fails on an unknown pid, whose command is not run", async () => {
    const pid = (await workerPid()) ?? 0;
    const batch = await sendWorkerCommands(socket, ["set server b/s2 state ready"], { expectedPid: 1 });
    assert.ok(!batch.ok);
    assert.match(batch.reason, /Can't find the target PID matching the prefix '@!1'/);
    assert.equal((await servers(pid)).find((server) => server.name === "s2")?.ready, false);
  });

  it("splits a plan over the size limit into several lines whose answers stay with their commands", async () => {
    const pid = (await workerPid()) ?? 0;
    const commands = Array.from(
      { length: 400 },
      (_, i) => `set server b/s1 addr 127.0.${Math.floor(i / 200)}.${(i % 200) + 1} port ${10_000 + i}`,
    );
    const lines = batchLines(commands, pid);
    assert.ok(lines.ok && lines.lines.length > 1, "more than one line");
    const batch = await sendWorkerCommands(socket, commands, { expectedPid: pid });
    assert.ok(batch.ok);
    assert.equal(batch.answers.length, commands.length);
    for (const [i, { answer }] of batch.answers.entries())
      assert.match(answer, new RegExp(`port changed from '${i === 0 ? 8007 : 9999 + i}' to '${10_000 + i}'`));
  });

  it("a step in error in the middle, or an unknown pid, is a failed runtime apply (one that reloads)", async () => {
    const pid = (await workerPid()) ?? 0;
    const supervisor = {
      exclusive: <T>(task: () => Promise<T>) => task(),
      isSettled: () => true,
      isStopping: () => false,
    } as unknown as HaproxySupervisor;
    const target = (workerPid: number) => ({ supervisor, masterSocket: socket, workerPid, timeoutMs: 2000 });
    const plan = (serverOps: ServerOp[]) => ({
      kind: "runtime" as const,
      slots: new Map(),
      serverOps,
      mapOps: [],
    });
    const table = { hosts: [], backends: [] };
    const middle = await applyRuntime(
      plan([
        { backend: "b", slot: 1, action: "maint" },
        { backend: "b", slot: 8, action: "maint" },
        { backend: "b", slot: 1, action: "ready" },
      ]),
      table,
      target(pid),
    );
    assert.deepEqual(middle, {
      ok: false,
      readback: false,
      reason: 'unexpected answer to "set server b/s9 state maint": "No such server."',
    });
    const unknown = await applyRuntime(plan([{ backend: "b", slot: 1, action: "maint" }]), table, target(1));
    assert.ok(!unknown.ok && !unknown.readback);
    assert.match(unknown.reason, /Can't find the target PID matching the prefix '@!1'/);
  });

  it("a slot whose addr is refused is never set ready: addresses go in a batch of their own, checked first", async () => {
    const pid = (await workerPid()) ?? 0;
    const supervisor = {
      exclusive: <T>(task: () => Promise<T>) => task(),
      isSettled: () => true,
      isStopping: () => false,
    } as unknown as HaproxySupervisor;
    await sendWorkerCommands(socket, ["set server b/s2 state maint"], { expectedPid: pid });
    const outcome = await applyRuntime(
      {
        kind: "runtime",
        slots: new Map(),
        // An address HAProxy refuses (the planner never makes one; an answer it does not expect stands in).
        serverOps: [
          { backend: "b", slot: 1, action: "shutdown" },
          { backend: "b", slot: 1, action: "addr", address: "256.0.0.1", port: 8080 },
          { backend: "b", slot: 1, action: "ready" },
        ],
        mapOps: [],
      },
      { hosts: [], backends: [] },
      { supervisor, masterSocket: socket, workerPid: pid, timeoutMs: 2000 },
    );
    assert.ok(!outcome.ok && !outcome.readback);
    assert.match(outcome.reason, /unexpected answer to "set server b\/s2 addr 256\.0\.0\.1 port 8080"/);
    // In one line with the addr, HAProxy ran the `ready` whatever the addr answered: s2 served its old address.
    assert.equal((await servers(pid)).find((server) => server.name === "s2")?.ready, false);
  });

  it("fails when the pid is an old worker: the batch's show proc names another current one", async () => {
    const old = (await workerPid()) ?? 0;
    // A client connection keeps the old worker alive after the reload (until it closes).
    const client: Socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => client.once("connect", resolve));
    try {
      await sendMasterCommand(socket, "reload");
      await waitFor(async () => ((await workerPid()) ?? old) !== old, {
        timeoutMs: 5000,
        message: "a new worker",
      });
      const batch = await sendWorkerCommands(socket, ["show servers state b"], { expectedPid: old });
      assert.ok(!batch.ok);
      assert.match(batch.reason, new RegExp(`reached worker ${old}, but the current worker is \\d+`));
    } finally {
      client.destroy();
    }
  });
});
