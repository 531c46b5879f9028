// HAProxy's stdout goes through a FIFO in the state dir: with SYSLOG_HOST=stdout its access logs are
// logged by the reloader (haproxy.output), and still after the reloader was SIGKILLed and a new one
// adopted the running HAProxy. With a pipe to the first reloader they went nowhere from then on. Its write
// ends are non-blocking: HAProxy drops lines rather than wait for a reader that falls behind.
import assert from "node:assert/strict";
import { closeSync, constants, writeSync } from "node:fs";
import { lstat, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  haproxyMasters,
  httpRequest,
  renderTestBackends,
  renderTestMap,
  startBackend,
  waitFor,
  type ReloaderProcess,
} from "@rancher-haproxy/test-support";
import { createLogger } from "@rancher-haproxy/core";
import { openStdoutFifo } from "../src/haproxy/stdout-fifo.ts";
import { createFixture } from "./helpers/fixture.ts";

// Requests `path` through HAProxy until `reloader` logs HAProxy's access log line for it.
async function accessLogged(reloader: ReloaderProcess, url: string, path: string): Promise<void> {
  await waitFor(
    async () => {
      await httpRequest({ url: `${url}${path}`, host: "app.dev.tld", timeoutMs: 2000 }).catch(() => null);
      return reloader.logs.some(
        (line) =>
          line.event === "haproxy.output" &&
          line["stream"] === "stdout" &&
          String(line["line"]).includes(`GET /${path} `),
      )
        ? true
        : undefined;
    },
    { timeoutMs: 10_000, message: `the access log of /${path}` },
  );
}

test("access logs on HAProxy's stdout reach the reloader's log, and the next reloader's after a SIGKILL", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.76.1" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  });
  assert.ok((await lstat(join(fixture.stateDir, "haproxy.stdout"))).isFIFO());
  await accessLogged(fixture.reloader, fixture.url, "before-restart");

  const first = fixture.reloader;
  const [master] = haproxyMasters(fixture.stateDir);
  process.kill(first.pid, "SIGKILL");
  await first.exited;
  const second = await fixture.start();
  const adopted = second.logs.find((line) => line.event === "haproxy.adopted");
  assert.equal(adopted?.["pid"], master, "the same HAProxy, adopted");
  await accessLogged(second, fixture.url, "after-restart");
});

test("the FIFO's write ends are non-blocking (a reader that falls behind costs lines, never a stalled worker) and every line is read", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-fifo-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lines: string[] = [];
  const logger = createLogger({ name: "test", level: "silent", format: "json" });
  const fifo = await openStdoutFifo(join(dir, "haproxy.stdout"), (line) => lines.push(line), logger);
  assert.ok(fifo, "a FIFO could be made");
  t.after(() => fifo.close());
  for (const n of [1, 2]) {
    const fd = fifo.openWriteEnd();
    assert.ok(fd !== undefined, "a write end");
    const flags = /^flags:\s*([0-7]+)$/m.exec(await readFile(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
    assert.ok(flags !== undefined && (parseInt(flags, 8) & constants.O_NONBLOCK) !== 0, "O_NONBLOCK");
    writeSync(fd, `line ${n}\n`);
    closeSync(fd); // as HAProxy exiting: the reader sees no end of file and reads the next writer's lines
  }
  await waitFor(() => (lines.length === 2 ? true : undefined), { timeoutMs: 5000, message: "both lines" });
  assert.deepEqual(lines, ["line 1", "line 2"]);
});
