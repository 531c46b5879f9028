// A reload for the certificates while the master has not answered since a reload timed out is not sent:
// sent, its own timeout replaced the one waiting for the master's verdict, and when the master answered,
// the reload that had gone live was judged as one never sent (`reload.settled` `not-sent`, counted
// `unconfirmed`). The supervisor settles first on every reload (master-reloads.ts), not only on a switch.
// A stand-in haproxy's armed re-execution waits on a FIFO until the test opens it.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { freePort } from "../../test-support/src/haproxy/index.ts";
import { metricValue, scrapeMetrics } from "../../test-support/src/status/index.ts";
import { appAndWebFiles } from "./helpers/app-and-web-files.ts";
import { appFixture } from "./helpers/app-fixture.ts";
import { startLargeCertificateMetadata } from "./helpers/large-certificate.ts";
import { openGate, reexecHaproxy } from "./helpers/reexec-haproxy.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

test("a reload for the certificates waits for the master's answer on a reload that timed out", async (t) => {
  const { server, addLarge } = await startLargeCertificateMetadata(t);
  const {
    app,
    other: web,
    fixture,
  } = await appFixture(
    t,
    ["127.0.0.79", "127.0.0.80"],
    { args: ["--https-port", String(await freePort())], deferStart: true },
    "web",
  );
  const stand = await reexecHaproxy(fixture.dir, { gated: true });
  const reloader = await fixture.start(
    ["--haproxy-bin", stand.bin, "--reload-timeout", "2s", "--status-port", "0"],
    { ENABLE_SSL: "true", RANCHER_API_HOST: server.hostPort, CERT_POLL_INTERVAL: "300ms" },
  );
  const statusUrl = String((await reloader.waitForEvent("status.listening"))["url"]);
  await reloader.waitForEvent("inputs.live");

  // A routing change whose reload times out: the master waits on the gate.
  const from = reloader.logs.length;
  await writeFile(stand.flag, "");
  await writeInOnePass(fixture, appAndWebFiles(app.address, web.address));
  const failed = await reloader.waitForEvent("reload.failed", { from, timeoutMs: 15_000 });
  assert.match(String(failed["reason"]), /not confirmed/);
  // A certificate the runtime API cannot take: its reload is put off, not sent.
  addLarge();
  const put = await reloader.waitForEvent("certs.update-failed", { from, timeoutMs: 15_000 });
  assert.match(String(put["reason"]), /the master has not answered since a reload timed out/);

  // The master goes on: its verdict is on the reload that timed out, which went live.
  await openGate(stand);
  const settled = await reloader.waitForEvent("reload.settled", { from, timeoutMs: 30_000 });
  assert.equal(settled["outcome"], "applied", "the verdict on the reload that timed out");
  assert.equal(settled["sent"], true);
  await reloader.waitForEvent("certs.updated", { from, timeoutMs: 15_000 });
  const samples = await scrapeMetrics(statusUrl);
  assert.equal(metricValue(samples, "reloader_reloads_total", { result: "unconfirmed" }) ?? 0, 0);
});
