// End to end, who serves a path while its service redeploys: stack shop's `/` service (web, plain HTTP)
// and its `/api` service (api, https=only). While api's only container is unhealthy or stopped, /api
// must answer 503 (and HTTP still its 403), not reach web over plain HTTP (until 2026-12-04 it did: the
// path's keys were dropped with its last serving container, and /api fell to the `/` key).
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort, worldTree, type World } from "@rancher-haproxy/test-support";
import { recordedCertificate } from "../packages/reloader/test/helpers/test-certificate.ts";
import { assertCleanStop, bodyOrStatus, host, startBackends, startWorldPair } from "./helpers/e2e.ts";

const L = "map-public-http";

test("a path service redeploying keeps its path: 503 over HTTPS and 403 over HTTP, never the / service", async (t) => {
  const backends = await startBackends(t, [
    { name: "shop-web-1", host: "127.0.0.83" },
    { name: "shop-api-1", host: "127.0.0.84" },
  ]);
  const certificate = recordedCertificate();
  const httpsPort = await freePort();
  const world = (api: { health?: string; state?: string } | null): World => ({
    stacks: {
      shop: [
        { backend: backends["shop-web-1"]! },
        ...(api === null
          ? []
          : [
              {
                backend: backends["shop-api-1"]!,
                service: "api",
                ...api,
                labels: { [`${L}.path`]: "/api", [`${L}.https`]: "only" },
              },
            ]),
      ],
    },
    metadata: { ssl_cert: certificate.cert, ssl_key: certificate.key },
  });
  const pair = await startWorldPair(t, world({ health: "healthy" }), {
    reloaderEnv: { ENABLE_SSL: "true", HTTPS_PORT: String(httpsPort) },
  });
  const https = `https://127.0.0.1:${httpsPort}`;
  const answer = (url: string, path: string) => bodyOrStatus(url, host("shop"), path);
  const apiServer = /^\s+server api-/m;
  await pair.waitForApplied((files) => apiServer.test(files.backends));
  assert.equal(await answer(https, "/api/orders"), "shop-api-1");
  assert.equal(await answer(pair.url, "/api/orders"), "status 403", "https=only refuses plain HTTP");
  assert.equal(await answer(pair.url, "/"), "shop-web-1");

  // api's container fails its health check, or is stopped (a redeploy): /api is api's all along, and
  // api serves it again once healthy and running.
  for (const down of [{ health: "unhealthy" }, { state: "stopped" }]) {
    pair.metadata.setTree(worldTree(world(down)));
    await pair.waitForApplied((files) => !apiServer.test(files.backends));
    const seen = backends["shop-web-1"]!.seen.length;
    assert.equal(await answer(https, "/api/orders"), "status 503", `${JSON.stringify(down)}: over HTTPS`);
    assert.equal(await answer(pair.url, "/api/orders"), "status 403", `${JSON.stringify(down)}: over HTTP`);
    assert.equal(backends["shop-web-1"]!.seen.length, seen, "web got none of the /api requests");
    assert.equal(await answer(pair.url, "/"), "shop-web-1", "web still serves /");
    pair.metadata.setTree(worldTree(world({ health: "healthy" })));
    await pair.waitForApplied((files) => apiServer.test(files.backends));
    assert.equal(await answer(https, "/api/orders"), "shop-api-1");
  }

  // The container leaves metadata: the path is released, and goes to the stack's `/` service.
  pair.metadata.setTree(worldTree(world(null)));
  await pair.waitForApplied((files) => !files.map.includes("/api"));
  assert.equal(await answer(pair.url, "/api/orders"), "shop-web-1");
  await assertCleanStop(pair);
});
