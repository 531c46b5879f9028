// Host routing through a real HAProxy run by the reloader: exact names, case and port, sub-domains,
// unknown hosts and look-alike suffixes, against real backends on 127.0.0.x.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { httpRequest, startBackend, type Backend } from "../../test-support/src/http/index.ts";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { Cleanup, createFixture, type Fixture } from "./helpers/fixture.ts";

describe("routing by Host", () => {
  let fixture: Fixture;
  let app: Backend;
  let other: Backend;
  let alias: Backend;
  let proxied1: Backend;
  let proxied2: Backend;

  const cleanup = new Cleanup();
  after(() => cleanup.run());

  before(async () => {
    app = await startBackend({ name: "app", host: "127.0.0.31" });
    other = await startBackend({ name: "other", host: "127.0.0.32" });
    alias = await startBackend({ name: "shop", host: "127.0.0.33" });
    proxied1 = await startBackend({ name: "pp1", host: "127.0.0.34", proxyProtocol: true });
    proxied2 = await startBackend({ name: "pp2", host: "127.0.0.35", proxyProtocol: true });
    cleanup.add(() => Promise.all([app, other, alias, proxied1, proxied2].map((backend) => backend.close())));
    fixture = await createFixture(cleanup.add, {
      backends: renderTestBackends([
        { name: "app", servers: [{ address: app.address }] },
        { name: "other", servers: [{ address: other.address }] },
        { name: "shop", servers: [{ address: alias.address }] },
        { name: "pp1", servers: [{ address: proxied1.address, sendProxy: "send-proxy" }] },
        { name: "pp2", servers: [{ address: proxied2.address, sendProxy: "send-proxy-v2" }] },
      ]),
      map: renderTestMap({
        "app.dev.tld": "app",
        "other.dev.tld": "other",
        "www.dev.tld": "shop",
        "pp1.dev.tld": "pp1",
        "pp2.dev.tld": "pp2",
      }),
    });
  });

  const get = (host: string | undefined) => httpRequest({ url: fixture.url, host });

  it("routes an exact host to its backend", async () => {
    const answer = await get("app.dev.tld");
    assert.equal(answer.status, 200);
    assert.equal(answer.body, "app");
    assert.equal((await get("other.dev.tld")).body, "other");
    assert.equal((await get("www.dev.tld")).body, "shop");
  });

  it("ignores case, the port and a trailing dot", async () => {
    for (const host of ["APP.dev.tld:8080", "App.Dev.Tld", "app.dev.tld:80", "app.dev.tld."]) {
      const answer = await get(host);
      assert.equal(answer.status, 200, host);
      assert.equal(answer.body, "app", host);
    }
  });

  it("routes sub-domains of a mapped name to it, up to five extra labels", async () => {
    for (const host of ["x.app.dev.tld", "a.b.app.dev.tld", "A.B.C.D.E.app.dev.tld:8080"]) {
      const answer = await get(host);
      assert.equal(answer.status, 200, host);
      assert.equal(answer.body, "app", host);
    }
    assert.equal((await get("a.b.c.d.e.f.app.dev.tld")).status, 503);
  });

  it("answers unknown hosts with a clean 503 from the fallback backend", async () => {
    for (const host of ["unknown.dev.tld", "dev.tld", "xapp.dev.tld", "app.dev.tl", "127.0.0.1", ""]) {
      const answer = await get(host);
      assert.equal(answer.status, 503, host);
      assert.match(answer.body, /no route for this host/, host);
    }
  });

  it("does not route a look-alike suffix (app.dev.tld.evil.com)", async () => {
    for (const host of ["app.dev.tld.evil.com", "app.dev.tld.evil.com:80", "x.app.dev.tld.evil.com"]) {
      const answer = await get(host);
      assert.equal(answer.status, 503, host);
      assert.match(answer.body, /no route for this host/);
    }
  });

  it("passes the client address and the scheme to the backend", async () => {
    const seenBefore = app.seen.length;
    await get("app.dev.tld");
    const seen = app.seen[seenBefore];
    assert.ok(seen, "the backend saw the request");
    assert.equal(seen.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(seen.headers["x-real-ip"], "127.0.0.1");
    assert.equal(seen.headers["x-forwarded-proto"], "http");
    assert.equal(seen.headers["host"], "app.dev.tld");
  });

  it("speaks PROXY protocol v1 and v2 to backends that ask for it (send-proxy, send-proxy-v2)", async () => {
    const v1 = await get("pp1.dev.tld");
    assert.equal(v1.status, 200);
    assert.equal(v1.body, "pp1");
    assert.match(String(v1.headers["x-proxy-protocol"]), /^v1 127\.0\.0\.1:\d+$/);
    const v2 = await get("pp2.dev.tld");
    assert.equal(v2.body, "pp2");
    assert.match(String(v2.headers["x-proxy-protocol"]), /^v2 127\.0\.0\.1:\d+$/);
    assert.equal(proxied1.rejectedConnections + proxied2.rejectedConnections, 0);
  });
});
