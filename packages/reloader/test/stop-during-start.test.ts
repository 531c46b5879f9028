// A stop that arrives while the reloader is still starting, before any HAProxy runs, abandons the start:
// here the metadata service accepts the connection for the syslog target (SYSLOG_HOST unset) and never
// answers. Before, the stop waited for the read's 5 s timeout, then HAProxy was started only to be
// stopped again; `docker stop`'s 10 s could run out when the start held more such waits.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { waitFor } from "@rancher-haproxy/test-support";
import { createFixture } from "./helpers/fixture.ts";

// True once /proc shows the process catching SIGHUP (bit 0 of SigCgt): the CLI's stop handlers are set.
async function catchesSighup(pid: number): Promise<true | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n ? true : undefined;
}

test("SIGTERM while the start waits for metadata ends it at once: exit 0, no HAProxy started", async (t) => {
  const held: Socket[] = [];
  const silent = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of held) socket.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const address = silent.address();
  assert.ok(address && typeof address === "object");

  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true, waitReady: false });
  const reloader = await fixture.start([], {
    SYSLOG_HOST: "",
    RANCHER_API_HOST: `127.0.0.1:${address.port}`,
  });
  await waitFor(() => catchesSighup(reloader.pid), { timeoutMs: 10_000, message: "the stop handlers" });
  await waitFor(() => (held.length > 0 ? true : undefined), {
    timeoutMs: 10_000,
    message: "the metadata read for the syslog target",
  });

  const exit = await reloader.stop({ signal: "SIGTERM", timeoutMs: 15_000 });
  assert.deepEqual(exit, { code: 0, signal: null });
  const abandoned = reloader.logs.find((line) => line.event === "start.abandoned");
  assert.equal(abandoned?.["stage"], "syslog target");
  assert.deepEqual(reloader.haproxyPids(), [], "no HAProxy was started");
  assert.equal(reloader.count("syslog.target"), 0, "the read was abandoned, not waited for");
});
