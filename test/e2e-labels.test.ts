// End to end, issue 13's option labels through the pair and real HAProxy: own domains and wildcards (and
// a look-alike that must not match), two services of one stack split by path with and without strip,
// sticky cookies across 100 requests, an HAProxy health check taking a container out while Rancher still
// says healthy, maxconn queueing, https=redirect / https=only and HSTS on HTTPS answers.
// The three share one pair (started before them, with every stack of all three and HTTPS on): no test
// changes the metadata, each asks only its own stacks' hosts and backends, and the names one test's
// assertions expect nothing from (example.com, its look-alikes) no other stack claims.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  freePort,
  httpRequest,
  startBackend,
  startPair,
  worldTree,
  type Backend,
  type Pair,
  type SimpleResponse,
} from "@rancher-haproxy/test-support";
import { recordedCertificate } from "../packages/reloader/test/helpers/test-certificate.ts";
import { assertCleanStop, Cleanup, DOMAIN, get, host, startBackends, tally } from "./helpers/e2e.ts";
import { startCheckedBackend, type LabelBackend } from "./helpers/label-backends.ts";

const L = "map-public-http";

// One request with a path (and optional method/headers) on a fresh connection.
function request(
  url: string,
  hostName: string,
  path: string,
  extra: { method?: string; headers?: Record<string, string> } = {},
): Promise<SimpleResponse> {
  return httpRequest({ url: new URL(path, url).href, host: hostName, timeoutMs: 5000, ...extra });
}

// Every stack of the three tests, on one pair with HTTPS (test 3) and the backends they ask.
const cleanup = new Cleanup();
let pair: Pair;
let backends: Record<string, Backend>;
let slow: Backend;
let checked2: LabelBackend;
let httpsPort: number;
before(async () => {
  backends = await startBackends(cleanup, [
    { name: "shop-web-1", host: "127.0.0.61" },
    { name: "shop-api-1", host: "127.0.0.62" },
    { name: "shop-docs-1", host: "127.0.0.63" },
    { name: "sticky-web-1", host: "127.0.0.64" },
    { name: "sticky-web-2", host: "127.0.0.65" },
    { name: "secure-web-1", host: "127.0.0.68" },
    { name: "strict-web-1", host: "127.0.0.69" },
    { name: "plain-web-1", host: "127.0.0.70" },
  ]);
  slow = await startBackend({ name: "limited-web-1", host: "127.0.0.75", delayMs: 1000 });
  cleanup.after(() => slow.close());
  const checked1 = await startCheckedBackend(cleanup, "checked-web-1", "127.0.0.66");
  checked2 = await startCheckedBackend(cleanup, "checked-web-2", "127.0.0.67");
  const sticky = { [`${L}.sticky`]: "true" };
  const check = { [`${L}.check`]: "/healthz" };
  const certificate = recordedCertificate();
  httpsPort = await freePort();
  pair = await startPair({
    domain: DOMAIN,
    tree: worldTree({
      stacks: {
        shop: [
          { backend: backends["shop-web-1"]!, labels: { [`${L}.hosts`]: "www.example.com,*.example.com" } },
          {
            backend: backends["shop-api-1"]!,
            service: "api",
            labels: { [`${L}.path`]: "/api", [`${L}.strip-path`]: "true", [`${L}.hosts`]: "www.example.com" },
          },
          { backend: backends["shop-docs-1"]!, service: "docs", labels: { [`${L}.path`]: "/docs" } },
        ],
        sticky: [
          { backend: backends["sticky-web-1"]!, labels: sticky },
          { backend: backends["sticky-web-2"]!, labels: sticky },
        ],
        checked: [
          { backend: checked1, health: "healthy", labels: check },
          { backend: checked2, health: "healthy", labels: check },
        ],
        limited: [{ backend: slow, labels: { [`${L}.maxconn`]: "1" } }],
        secure: [
          {
            backend: backends["secure-web-1"]!,
            labels: { [`${L}.https`]: "redirect", [`${L}.hsts`]: "600" },
          },
        ],
        strict: [{ backend: backends["strict-web-1"]!, labels: { [`${L}.https`]: "only" } }],
        plain: [{ backend: backends["plain-web-1"]! }],
      },
      metadata: { ssl_cert: certificate.cert, ssl_key: certificate.key },
    }),
    reloaderEnv: { ENABLE_SSL: "true", HTTPS_PORT: String(httpsPort) },
  });
  cleanup.after(() => pair.stop());
});
after(() => cleanup.close());

test("own domain, wildcards and a look-alike; two services of one stack split by path, with and without strip", async () => {
  const files = await pair.waitForApplied((applied) => applied.map.includes("www.example.com/api"));
  assert.match(files.map, /^\*\.example\.com shop$/m);
  const answer = async (hostName: string, path: string) => {
    const response = await request(pair.url, hostName, path);
    return response.status === 200 ? response.body : `status ${response.status}`;
  };
  assert.equal(await answer("www.example.com", "/"), "shop-web-1", "own domain");
  assert.equal(await answer("a.b.example.com", "/"), "shop-web-1", "wildcard, any depth");
  assert.equal(await answer("example.com.evil.net", "/"), "status 503", "a look-alike matches nothing");
  assert.equal(await answer("example.com", "/"), "status 503", "*.example.com is not example.com");
  assert.equal(await answer("wwwexample.com", "/"), "status 503");

  assert.equal(await answer("www.example.com", "/api/orders/7?x=1"), "shop-api-1");
  assert.equal(backends["shop-api-1"]!.seen.at(-1)?.url, "/orders/7?x=1", "the prefix is stripped");
  assert.equal(await answer("www.example.com", "/api"), "shop-api-1");
  assert.equal(backends["shop-api-1"]!.seen.at(-1)?.url, "/", "/api becomes /");
  assert.equal(await answer("www.example.com", "/apix"), "shop-web-1", "segment boundary: /apix is not /api");
  assert.equal(
    await answer("shop.e2e.tld", "/api/v1"),
    "shop-api-1",
    "the stack's own host gets the path too",
  );
  assert.equal(
    await answer("x.example.com", "/api/v1"),
    "shop-web-1",
    "the wildcard was claimed without path",
  );

  assert.equal(await answer(host("shop"), "/docs/a/b/c/d"), "shop-docs-1");
  assert.equal(backends["shop-docs-1"]!.seen.at(-1)?.url, "/docs/a/b/c/d", "without strip the path is kept");
  assert.equal(await answer(host("shop"), "/"), "shop-web-1");
  assert.equal(await answer("www.example.com", "/docs"), "shop-web-1", "docs has no hosts label");
});

test("sticky keeps one client on one container across 100 requests; the check takes a failing one out; maxconn queues", async () => {
  await pair.waitForApplied((files) => files.backends.includes("option httpchk GET /healthz"));

  // without a cookie both containers answer (round robin); with the one set, only that one
  assert.deepEqual(Object.keys(await tally(pair, host("sticky"), 6)).sort(), [
    "sticky-web-1",
    "sticky-web-2",
  ]);
  const first = await get(pair, host("sticky"));
  const cookie = String(first.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
  // the value is the name of the server slot the container holds in HAProxy (see DESIGN.md, Runtime updates)
  assert.match(cookie, /^rh_sticky=s\d+$/);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 100; i++) {
    const answer = await request(pair.url, host("sticky"), "/", { headers: { cookie } });
    counts[answer.body] = (counts[answer.body] ?? 0) + 1;
  }
  assert.deepEqual(counts, { [first.body]: 100 });

  // Rancher keeps saying healthy; HAProxy's own check (inter 2s, fall 3) takes checked-web-2 out
  assert.deepEqual(Object.keys(await tally(pair, host("checked"), 6)).sort(), [
    "checked-web-1",
    "checked-web-2",
  ]);
  checked2.healthy = false;
  const since = performance.now();
  let streak = 0;
  while (streak < 10) {
    assert.ok(performance.now() - since < 30_000, "checked-web-2 still answers 30 s after its check failed");
    const answer = await get(pair, host("checked"));
    streak = answer.body === "checked-web-1" ? streak + 1 : 0;
    if (streak === 0) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const outAfter = Math.round(performance.now() - since);
  console.log(
    `checked-web-2 out of rotation ${outAfter} ms after its check started failing (window: 3 x 2 s)`,
  );
  const before = checked2.requests;
  assert.deepEqual(await tally(pair, host("checked"), 10), { "checked-web-1": 10 });
  assert.equal(checked2.requests, before);

  // maxconn=1 on a server answering after 1 s: three requests at once queue and all answer, one by one
  const started = performance.now();
  const answers = await Promise.all(
    [1, 2, 3].map(() =>
      httpRequest({ url: pair.url, host: host("limited"), timeoutMs: 20_000 }).then((answer) => ({
        body: answer.body,
        ms: performance.now() - started,
      })),
    ),
  );
  assert.deepEqual(
    answers.map((answer) => answer.body),
    ["limited-web-1", "limited-web-1", "limited-web-1"],
  );
  const slowest = Math.max(...answers.map((answer) => answer.ms));
  assert.ok(slowest >= 2900, `three 1 s answers through maxconn 1 took only ${Math.round(slowest)} ms`);
});

test("https=redirect answers 301 (GET) / 308 (POST) to https; https=only refuses HTTP; HSTS on HTTPS answers", async () => {
  await pair.waitForApplied((files) => files.backends.includes("Strict-Transport-Security"));
  const https = `https://127.0.0.1:${httpsPort}`;

  const redirected = await request(pair.url, host("secure"), "/a/b?c=1");
  assert.equal(redirected.status, 301);
  assert.equal(redirected.headers["location"], `https://${host("secure")}/a/b?c=1`);
  const posted = await request(pair.url, host("secure"), "/form", { method: "POST" });
  assert.equal(posted.status, 308);
  assert.equal(posted.headers["location"], `https://${host("secure")}/form`);
  const secure = await request(https, host("secure"), "/");
  assert.equal(secure.status, 200);
  assert.equal(secure.body, "secure-web-1");
  assert.equal(secure.headers["strict-transport-security"], "max-age=600");

  assert.equal((await request(pair.url, host("strict"), "/")).status, 403);
  const strict = await request(https, host("strict"), "/");
  assert.equal(strict.body, "strict-web-1");
  assert.equal(strict.headers["strict-transport-security"], undefined);

  const plain = await request(pair.url, host("plain"), "/");
  assert.equal(plain.body, "plain-web-1", "a stack without the labels keeps plain HTTP");
});

test("the pair the three tests shared stops cleanly", async () => {
  await assertCleanStop(pair);
});
