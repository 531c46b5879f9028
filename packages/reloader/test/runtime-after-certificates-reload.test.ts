// A routing change planned while a reload for the certificates is in flight: that reload loads `current`
// (the snapshot the plan was made against), so its new worker runs exactly what the plan assumed, and
// the runtime steps go to it; they went to the worker of the plan, which the reload replaced, so the
// batch failed ("the batch reached worker …") and a needless runtime-fallback reload followed (found by
// a review). A stand-in haproxy sleeps 3 s in the certificates' re-execution; the change is written then.
import assert from "node:assert/strict";
import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { readProc } from "../src/haproxy/confirm-reload.ts";
import { createFixture, waitForApply } from "./helpers/fixture.ts";
import { startLargeCertificateMetadata } from "./helpers/large-certificate.ts";
import { reexecHaproxy } from "./helpers/reexec-haproxy.ts";

test("a change planned during a reload for the certificates is applied at runtime on the new worker, with no fallback reload", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.221" });
  t.after(() => app.close());
  const { server, addLarge } = await startLargeCertificateMetadata(t);
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    args: ["--https-port", String(await freePort())],
    deferStart: true,
  });
  const stand = await reexecHaproxy(fixture.dir, { sleepSeconds: 3 });
  const reloader = await fixture.start(["--haproxy-bin", stand.bin], {
    ENABLE_SSL: "true",
    RANCHER_API_HOST: server.hostPort,
    CERT_POLL_INTERVAL: "300ms",
  });
  await reloader.waitForEvent("inputs.live");
  const masterSocket = join(fixture.stateDir, "master.sock");
  const before = await readProc(masterSocket);
  assert.ok(before, "show proc answers");

  // The large certificate is applied by a reload, whose re-execution sleeps 3 s; the change comes meanwhile.
  await writeFile(stand.flag, "");
  const from = reloader.logs.length;
  addLarge();
  await reloader.waitForEvent("certs.runtime-failed", { from });
  await fixture.write({ map: renderTestMap({ "app.dev.tld": "app", "www.dev.tld": "app" }) });
  const applied = await waitForApply(reloader, from, 20_000);
  await access(stand.woke); // the reload for the certificates did run
  const fallback = reloader.logs.slice(from).find((line) => line.event === "runtime.fallback");
  assert.equal(fallback, undefined, "no runtime fallback");
  assert.equal(applied["event"], "runtime.applied");
  const after = await readProc(masterSocket);
  assert.equal(after?.reloads, before.reloads + 1, "one reload: the certificates'");
  assert.notEqual(applied["workerPid"], before.workers[0]?.pid, "the steps went to the new worker");
  assert.equal((await httpRequest({ url: fixture.url, host: "www.dev.tld" })).body, "app");
});
