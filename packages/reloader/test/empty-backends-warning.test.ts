// A backends file generate-maps never wrote (the empty one the reloader's start creates): /healthz stays
// ok but warns, naming the file and the two path variables; a rescan interval after the start it is also
// logged (once) and counted, until it is written. Until 2026-12-06 both programs pointed at
// different backends files (HAPROXY_BACKEND_CONFIG set on one service only) looked healthy on both sides
// while every host got 503. A domain map alone pointed elsewhere (the backends file generate-maps' then,
// not empty) is reported from the map's side: test/e2e-domain-map-mismatch.test.ts.
import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { test } from "node:test";
import { renderBackends } from "@rancher-haproxy/core";
import { renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { readStatus, readStatusJson } from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import { createFixture } from "./helpers/fixture.ts";

type Health = ReloaderHealth["body"];

test("an empty backends file (generate-maps never wrote it): /healthz warns, until generate-maps writes it", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.205" });
  t.after(() => app.close());
  const fixture = await createFixture((fn) => t.after(fn), { args: ["--status-port", "0"] });
  const created = await fixture.reloader.waitForEvent("inputs.created");
  assert.deepEqual(created["paths"], [fixture.backendConfig, fixture.domainMap]);
  assert.equal((await stat(fixture.backendConfig)).size, 0, "created empty");
  const url = String((await fixture.reloader.waitForEvent("status.listening"))["url"]);

  const before = await readStatusJson<Health>(url, "/healthz");
  assert.deepEqual([before.status, before.json.status], [200, "ok"], "a warning, not a failure");
  assert.deepEqual(before.json.warnings, [
    `${fixture.backendConfig} is empty: generate-maps, which always writes a header line, has not written ` +
      "it, and no host reaches a stack until it does; if this lasts, check that generate-maps runs and " +
      "writes the paths the reloader reads (HAPROXY_BACKEND_CONFIG, HAPROXY_DOMAIN_MAP)",
  ]);
  assert.equal((await httpRequest({ url: fixture.url, host: "one.dev.tld" })).status, 503);

  // What generate-maps writes, even with nothing to route (its header line), clears it; so does routing.
  await fixture.write({ backends: renderBackends({ backends: [] }), map: "" });
  await waitFor(async () => (await readStatusJson<Health>(url, "/healthz")).json.warnings.length === 0, {
    timeoutMs: 10_000,
    message: "the warning cleared by a header-only backends file",
  });
  const colon = app.address.lastIndexOf(":");
  const server = {
    name: "s1",
    address: app.address.slice(0, colon),
    port: Number(app.address.slice(colon + 1)),
  };
  await fixture.write({
    backends: renderBackends({ backends: [{ name: "app", servers: [server] }] }),
    map: renderTestMap({ "one.dev.tld": "app" }),
  });
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "one.dev.tld" })).status === 200, {
    timeoutMs: 10_000,
    message: "routed",
  });
  // A host answers once the new worker serves it, a moment before the reloader has confirmed the reload
  // and recorded the change (/healthz "applying" until then): wait for "ok", as a monitor would.
  const after = await waitFor(
    async () => {
      const answer = await readStatusJson<Health>(url, "/healthz");
      return answer.json.status === "ok" ? answer.json : undefined;
    },
    { timeoutMs: 10_000, message: "/healthz ok once routed" },
  );
  assert.deepEqual(after.warnings, []);
});

// The logs said nothing of it until 2026-12-06 (only /healthz did), and no metric counted it.
test("an empty backends file is logged once and counted a rescan interval after the start, until it is written", async (t) => {
  const fixture = await createFixture((fn) => t.after(fn), {
    args: ["--status-port", "0", "--rescan-interval", "1s", "--log-level", "debug"],
  });
  const { reloader } = fixture;
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  const emptyGauge = async () =>
    /^reloader_backends_file_empty (\d)$/m.exec((await readStatus(url, "/metrics")).body)?.[1];

  const warning = await reloader.waitForEvent("inputs.backends-empty", { timeoutMs: 20_000 });
  assert.deepEqual(
    [warning.level, warning["path"], warning["domainMap"]],
    [40, fixture.backendConfig, fixture.domainMap],
  );
  assert.match(String(warning["msg"]), /has not written it.*HAPROXY_BACKEND_CONFIG, HAPROXY_DOMAIN_MAP/);
  assert.equal(await emptyGauge(), "1");
  // Once, not at each check: three rescans after it (`inputs.unchanged`, 1 s apart, as the checks are).
  const from = reloader.logs.indexOf(warning);
  await waitFor(
    () => reloader.logs.slice(from).filter((line) => line.event === "inputs.unchanged").length >= 3,
    { timeoutMs: 20_000, message: "three rescans after the warning" },
  );
  assert.equal(reloader.count("inputs.backends-empty"), 1);

  await fixture.write({ backends: renderBackends({ backends: [] }), map: "" });
  const written = await reloader.waitForEvent("inputs.backends-written", { timeoutMs: 20_000 });
  assert.deepEqual([written.level, written["path"]], [30, fixture.backendConfig]);
  assert.equal(await emptyGauge(), "0");
  assert.equal(reloader.count("inputs.backends-empty"), 1);
});
