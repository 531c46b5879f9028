// What an adopted master started dies with it (found by a review): a reloader's own master is killed
// with its process group (spawn-haproxy.ts), so a `program` of a --config or an external check script
// that outlives it is not left running beside the next master. An adopted master (not our child) was
// signalled by its pid only: a `program` ignoring SIGTERM and SIGUSR1 ran on after the stop of the
// reloader that adopted it, and after the adopted master died and was replaced.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { chmod, readFile, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { sendMasterCommand } from "@rancher-haproxy/core";
import { viewProcess } from "../src/adopt/process-table.ts";
import { haproxyMasters as masters, waitFor } from "../../test-support/src/haproxy/index.ts";
import type { Fixture } from "./helpers/fixture.ts";
import { killIfHaproxy, reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { userConfigFixture, userConfigLines } from "./helpers/user-config.ts";

// Alive and not a zombie.
const isRunning = (pid: number) => viewProcess(pid) !== null;

// A --config whose `program` ignores SIGTERM and SIGUSR1 and writes its pid to `pidFile`; the
// reloader's arguments for it.
async function programConfig(fixture: Fixture, userConfig: string) {
  const script = join(fixture.dir, "stubborn.sh");
  const pidFile = join(fixture.dir, "stubborn.pid");
  await writeFile(script, `#!/bin/sh\ntrap '' TERM USR1\necho $$ > ${pidFile}\nexec sleep 60\n`);
  await chmod(script, 0o755);
  const extra = ["program stubborn", `    command ${script}`, "    no option start-on-reload"];
  await writeFile(userConfig, userConfigLines(fixture.httpPort, [], extra).join("\n"));
  return { pidFile, args: ["--config", userConfig] };
}

// The program's pid once it wrote it, killed when the test ends.
async function programPid(t: TestContext, pidFile: string): Promise<number> {
  const program = await waitFor(async () => Number(await readFile(pidFile, "utf8").catch(() => "")) || null, {
    timeoutMs: 5000,
    message: "the program to start",
  });
  t.after(() => void (isRunning(program) && process.kill(program, "SIGKILL")));
  return program;
}

// A reloader on the program's --config, SIGKILLed, and a second one that adopted its master; resolves
// with the master's and the program's pids.
async function adoptWithProgram(t: TestContext, host: string) {
  const { fixture, userConfig } = await userConfigFixture(t, host);
  const { pidFile, args } = await programConfig(fixture, userConfig);
  const first = await fixture.start(args);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  const program = await programPid(t, pidFile);
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  const second = await fixture.start(args);
  assert.equal((await second.waitForEvent("haproxy.adopted"))["pid"], masterPid);
  await second.waitForEvent("adopt.reloaded");
  assert.ok(isRunning(program), "the program runs under the adopted master");
  return { fixture, second, masterPid, program };
}

test("the stop of an adopted master ends what it started", async (t) => {
  const { fixture, second, program } = await adoptWithProgram(t, "127.0.0.91");
  assert.deepEqual(await second.stop({ signal: "SIGTERM", timeoutMs: 20_000 }), { code: 0, signal: null });
  assert.deepEqual(masters(fixture.stateDir), []);
  await waitFor(() => !isRunning(program) || null, { timeoutMs: 5000, message: "the program to be gone" });
});

test("an adopted master that dies takes what it started with it before it is replaced", async (t) => {
  const { fixture, second, masterPid, program } = await adoptWithProgram(t, "127.0.0.92");
  const from = second.logs.length;
  process.kill(masterPid, "SIGKILL");
  await second.waitForEvent("haproxy.exited", { from, timeoutMs: 10_000 });
  await second.waitForEvent("haproxy.ready", { from, timeoutMs: 15_000 });
  assert.equal(masters(fixture.stateDir).length, 1);
  await waitFor(() => !isRunning(program) || null, {
    timeoutMs: 5000,
    message: "the old program to be gone",
  });
});

// The same for a master retired as stale (alive, its master CLI silent): it was SIGTERMed and SIGKILLed
// by its pid only. Here it is stuck re-executing for a reload (the reloader was killed mid-reload).
test("a master retired as stale takes what it started with it", async (t) => {
  const { fixture, userConfig } = await userConfigFixture(t, "127.0.0.94");
  const { pidFile, args } = await programConfig(fixture, userConfig);
  const { bin, flag } = await reexecHaproxy(fixture.dir, { sleepSeconds: 600 });
  const all = [...args, "--haproxy-bin", bin, "--reload-timeout", "2s"];
  const first = await fixture.start(all);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  const program = await programPid(t, pidFile);
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  await writeFile(flag, "");
  await sendMasterCommand(`${fixture.stateDir}/master.sock`, "reload").catch(() => "");
  await waitFor(() => !existsSync(flag) || null, { timeoutMs: 5000, message: "the master to re-execute" });

  const second = await fixture.start(all);
  assert.equal((await second.waitForEvent("haproxy.stale", { timeoutMs: 30_000 }))["pid"], masterPid);
  await second.waitForEvent("haproxy.ready");
  await waitFor(() => !isRunning(program) || null, {
    timeoutMs: 5000,
    message: "the old program to be gone",
  });
});

// The same for the emergency stop of a second signal during a restarted reloader's start (here while
// it waits for a metadata service that never answers): the master of the state dir was SIGKILLed by its
// pid only, and the reloader exited with the program running on, supervised by nobody.
test("a second signal during the start kills what the master started with it", async (t) => {
  const held: Socket[] = [];
  const silent = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of held) socket.destroy();
    silent.close();
  });
  const { port } = silent.address() as AddressInfo;
  const { fixture, userConfig } = await userConfigFixture(t, "127.0.0.96");
  const { pidFile, args } = await programConfig(fixture, userConfig);
  const first = await fixture.start(args);
  const masterPid = Number((await first.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  const program = await programPid(t, pidFile);
  process.kill(first.pid, "SIGKILL");
  await first.exited;

  const metadata = { SYSLOG_HOST: "", RANCHER_API_HOST: `127.0.0.1:${port}` };
  const second = fixture.start(args, metadata);
  await waitFor(() => held.length > 0 || null, { timeoutMs: 20_000, message: "the metadata read" });
  const reloader = fixture.reloader;
  process.kill(reloader.pid, "SIGTERM");
  await reloader.waitForEvent("reloader.shutdown");
  process.kill(reloader.pid, "SIGTERM");
  assert.deepEqual(await reloader.exited, { code: 1, signal: null });
  await second.catch(() => undefined);
  assert.equal(reloader.logs.find((line) => line.event === "reloader.killed-haproxy")?.["pid"], masterPid);
  await waitFor(() => !isRunning(program) || null, { timeoutMs: 5000, message: "the program to be gone" });
});
