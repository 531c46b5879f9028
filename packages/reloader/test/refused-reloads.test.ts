// HAProxy 2.6 counts a refused reload on the worker that keeps serving. With `mworker-max-reloads 50`
// in the base config, the first good reload after 50 refused ones SIGTERMed that worker at once: its
// in-flight requests were cut. The base config as rendered, run by a real HAProxy: 55 refused reloads
// (a config it cannot parse), then a request in flight and a good reload: the request is answered, and
// `show proc` names the serving worker as current after the refused reloads.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { currentWorker, parseShowProc, sendMasterCommand, type ProcInfo } from "@rancher-haproxy/core";
import {
  freePort,
  renderTestBackends,
  renderTestMap,
  waitFor,
} from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { renderBaseConfig } from "../src/render/render-base-config.ts";
import { baseConfigInput } from "./helpers/base-config-input.ts";

const REFUSED = 55;

test(`${REFUSED} refused reloads, then a good one: the serving worker still finishes its request in flight`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "rh-refused-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // Answers after 6 s: in flight through the good reload.
  const app = await startBackend({ name: "app", host: "127.0.0.48", delayMs: 6000 });
  t.after(() => app.close());

  const httpPort = await freePort();
  const base = renderBaseConfig(baseConfigInput(dir, { bindAddress: "127.0.0.1", httpPort }));
  await writeFile(join(dir, "haproxy.cfg"), base);
  await writeFile(
    join(dir, "backends.cfg"),
    renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
  );
  await writeFile(join(dir, "domain.map"), renderTestMap({ "app.dev.tld": "app" }));
  await writeFile(join(dir, "path-hosts.map"), "");
  const extra = join(dir, "extra.cfg");
  await writeFile(extra, "");
  const socket = join(dir, "master.sock");
  const files = ["haproxy.cfg", "backends.cfg", "extra.cfg"].flatMap((name) => ["-f", join(dir, name)]);
  const master = spawn("haproxy", ["-W", "-S", `${socket},mode,600`, ...files], { stdio: "ignore" });
  t.after(() => {
    master.kill("SIGKILL");
  });
  const proc = async (): Promise<ProcInfo | null> =>
    parseShowProc(await sendMasterCommand(socket, "show proc", 2000).catch(() => ""));
  const first = await waitFor(
    async () => {
      const info = await proc();
      return info && currentWorker(info) ? info : null;
    },
    { timeoutMs: 10_000, message: "HAProxy serves" },
  );
  const serving = currentWorker(first)!.pid;

  // Each reload reads a config HAProxy refuses: the worker keeps serving, and its count goes up.
  await writeFile(extra, "frontend rh_refused\n    bogus-keyword\n");
  for (let i = 1; i <= REFUSED; i++) {
    await sendMasterCommand(socket, "reload", 2000).catch(() => "");
    await waitFor(async () => (await proc())?.reloads === first.reloads + i, {
      timeoutMs: 10_000,
      message: `refused reload ${i}`,
    });
  }
  const refused = await proc();
  assert.ok((refused?.failed ?? 0) >= 1, "the reloads were refused");
  assert.equal(currentWorker(refused!)?.pid, serving, "the serving worker is current after refused reloads");
  assert.ok((currentWorker(refused!)?.reloads ?? 0) >= REFUSED, "and its count went up with them");

  // A request in flight, then a good reload: the old worker drains it instead of being killed.
  const inFlight = httpRequest({
    url: `http://127.0.0.1:${httpPort}/`,
    host: "app.dev.tld",
    timeoutMs: 20_000,
  });
  await waitFor(() => app.seen.length > 0, { timeoutMs: 5000, message: "the request reached the app" });
  await writeFile(extra, "");
  await sendMasterCommand(socket, "reload", 2000).catch(() => "");
  await waitFor(
    async () => {
      const info = await proc();
      const worker = info && currentWorker(info);
      return info?.failed === 0 && worker && worker.pid !== serving ? true : null;
    },
    { timeoutMs: 10_000, message: "the good reload" },
  );
  const answer = await inFlight;
  assert.equal(answer.status, 200);
  assert.equal(answer.body, "app");
});
