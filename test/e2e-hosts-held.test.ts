// End to end, who serves a `hosts` name while its stack redeploys: stack shop claims www.shop.com
// (https=only) and so does stack zoo (a host-conflict shop wins). While shop's only container is unhealthy
// or stopped, www.shop.com must answer 503 (and plain HTTP still its 403), never reach zoo's container
// (until 2026-12-04 it did: the claim went with shop's last serving container, and zoo's took the name);
// the down and the up are runtime steps, not reloads.
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort, readReloadCounter, worldTree, type World } from "@rancher-haproxy/test-support";
import { recordedCertificate } from "../packages/reloader/test/helpers/test-certificate.ts";
import { assertCleanStop, bodyOrStatus, startBackends, startWorldPair } from "./helpers/e2e.ts";
import { assertNoReload } from "./helpers/runtime.ts";

const L = "map-public-http";

test("a stack redeploying keeps its hosts claim: 503 over HTTPS and 403 over HTTP, never the rival's container, no reload", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.87" },
    { name: "zoo-web-1", host: "127.0.0.88" },
  ]);
  const certificate = recordedCertificate();
  const httpsPort = await freePort();
  const world = (shop: { health?: string; state?: string }): World => ({
    stacks: {
      shop: [
        {
          backend: backends["shop-web-1"]!,
          ...shop,
          labels: { [`${L}.hosts`]: "www.shop.com", [`${L}.https`]: "only" },
        },
      ],
      zoo: [{ backend: backends["zoo-web-1"]!, labels: { [`${L}.hosts`]: "www.shop.com" } }],
    },
    metadata: { ssl_cert: certificate.cert, ssl_key: certificate.key },
  });
  const pair = await startWorldPair(t, world({ health: "healthy" }), {
    reloaderEnv: { ENABLE_SSL: "true", HTTPS_PORT: String(httpsPort) },
  });
  const https = `https://127.0.0.1:${httpsPort}`;
  const answer = (url: string) => bodyOrStatus(url, "www.shop.com");
  const shopServer = /^\s+server web-/m;
  const serving = (files: { backends: string }) =>
    shopServer.test(files.backends.split("backend zoo")[0] ?? "");
  await pair.waitForApplied((files) => serving(files) && files.map.includes("zoo."));
  assert.equal(await answer(https), "shop-web-1");
  assert.equal(await answer(pair.url), "status 403", "https=only refuses plain HTTP");
  const baseline = await readReloadCounter(pair.paths.stateDir);

  for (const down of [{ health: "unhealthy" }, { state: "stopped" }]) {
    pair.metadata.setTree(worldTree(world(down)));
    await pair.waitForApplied((files) => !serving(files));
    const seen = backends["zoo-web-1"]!.seen.length;
    assert.equal(await answer(https), "status 503", `${JSON.stringify(down)}: over HTTPS`);
    assert.equal(await answer(pair.url), "status 403", `${JSON.stringify(down)}: over HTTP`);
    assert.equal(backends["zoo-web-1"]!.seen.length, seen, "zoo got none of www.shop.com's requests");
    pair.metadata.setTree(worldTree(world({ health: "healthy" })));
    await pair.waitForApplied(serving);
    assert.equal(await answer(https), "shop-web-1");
  }
  await assertNoReload(pair, baseline, "shop's down and up");
  await assertCleanStop(pair);
});
