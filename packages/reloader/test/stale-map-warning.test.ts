// A real reloader reading a stale domain map, one that is not empty but names only an old stack's
// backend, beside a backends file declaring a newer stack: the new stack answers 503, and it is logged
// once (`inputs.map-stale`), shown in /healthz and counted (reloader_domain_map_unrouted_stacks) a
// rescan interval later; the map generate-maps writes for the pair (the new stack's line with the old
// one's) clears all three.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderBackends, type SharedServer } from "@rancher-haproxy/core";
import { renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest, startBackend } from "../../test-support/src/http/index.ts";
import { readStatus, readStatusJson } from "../../test-support/src/status/index.ts";
import type { ReloaderHealth } from "../src/index.ts";
import { createFixture } from "./helpers/fixture.ts";

type Health = ReloaderHealth["body"];

async function server(t: { after(fn: () => unknown): void }, host: string): Promise<SharedServer> {
  const app = await startBackend({ name: host, host });
  t.after(() => app.close());
  const colon = app.address.lastIndexOf(":");
  return { name: "s1", address: app.address.slice(0, colon), port: Number(app.address.slice(colon + 1)) };
}

test("a stale map reaching an old stack only: the new stack is warned, logged once and counted, until its line comes", async (t) => {
  const blog = await server(t, "127.0.0.206");
  const shop = await server(t, "127.0.0.207");
  const backends = renderBackends({
    backends: [
      { name: "blog", servers: [blog] },
      { name: "shop", servers: [shop] },
    ],
  });
  const fixture = await createFixture((fn) => t.after(fn), {
    backends,
    map: renderTestMap({ "blog.dev.tld": "blog" }),
    args: ["--status-port", "0", "--rescan-interval", "1s", "--log-level", "debug"],
  });
  const { reloader } = fixture;
  const url = String((await reloader.waitForEvent("status.listening"))["url"]);
  const gauge = async () =>
    /^reloader_domain_map_unrouted_stacks (\d+)$/m.exec((await readStatus(url, "/metrics")).body)?.[1];

  const warning = await reloader.waitForEvent("inputs.map-stale", { timeoutMs: 20_000 });
  assert.deepEqual(
    [warning.level, warning["path"], warning["stackCount"], warning["stacks"]],
    [40, fixture.domainMap, 1, ["shop"]],
  );
  assert.match(String(warning["msg"]), /\(shop\).*stale file.*HAPROXY_DOMAIN_MAP.*write-failed/);
  assert.equal((await httpRequest({ url: fixture.url, host: "shop.dev.tld" })).status, 503, "the symptom");
  assert.equal((await httpRequest({ url: fixture.url, host: "blog.dev.tld" })).status, 200);
  assert.equal(await gauge(), "1");
  const health = await readStatusJson<Health>(url, "/healthz");
  assert.equal(health.json.status, "ok", "a warning, not a failure: HAProxy runs what the files say");
  assert.deepEqual(health.json.warnings, [
    `no line of ${fixture.domainMap} reaches 1 stack(s) the backends file declares (shop), though ` +
      "generate-maps writes a host line for each: the map read is not the one it writes (a stale file) " +
      "and their hosts get 503; check that both programs use the same HAPROXY_DOMAIN_MAP, and " +
      "generate-maps' write-failed lines",
  ]);
  // Once, not at each check: three rescans after it (`inputs.unchanged`, 1 s apart, as the checks are).
  const from = reloader.logs.indexOf(warning);
  await waitFor(
    () => reloader.logs.slice(from).filter((line) => line.event === "inputs.unchanged").length >= 3,
    { timeoutMs: 20_000, message: "three rescans after the warning" },
  );
  assert.equal(reloader.count("inputs.map-stale"), 1);
  assert.equal(reloader.count("inputs.map-empty"), 0, "one cause, one warning");

  await fixture.write({ map: renderTestMap({ "blog.dev.tld": "blog", "shop.dev.tld": "shop" }) });
  const cleared = await reloader.waitForEvent("inputs.map-stale-cleared", { timeoutMs: 20_000 });
  assert.deepEqual([cleared.level, cleared["path"]], [30, fixture.domainMap]);
  assert.equal(await gauge(), "0");
  assert.deepEqual((await readStatusJson<Health>(url, "/healthz")).json.warnings, []);
  // The check reads the table the applier validated, before its reload: wait for the route.
  await waitFor(async () => (await httpRequest({ url: fixture.url, host: "shop.dev.tld" })).status === 200, {
    timeoutMs: 10_000,
    message: "the new stack routed",
  });
});
