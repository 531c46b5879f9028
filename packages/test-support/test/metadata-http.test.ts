// HTTP behaviour beyond the recordings: Go framing, escaping, client IPs, order modes, hostile trees.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  buildTree,
  fetchRaw,
  loadRecordedTree,
  startMetadataServer,
  type MetadataServer,
} from "../src/metadata/index.ts";

const JSON_ACCEPT = { Accept: "application/json" };

describe("HTTP details", () => {
  let server: MetadataServer;
  before(async () => {
    const tree = loadRecordedTree();
    const services = tree.services as Array<Record<string, Record<string, unknown>>>;
    const own = services.find((s) => s["name"] === ("HTTP-generate-maps" as unknown));
    Object.assign(own?.["metadata"] ?? {}, {
      "a b": "space",
      "a/b": "slash",
      page: "<html><body>hi</body></html>",
    });
    server = await startMetadataServer({ tree });
  });
  after(() => server.close());

  it("unescapes path segments: + is a space, %2F stays inside its segment", async () => {
    assert.equal(
      (await fetchRaw(`${server.url}/2015-12-19/self/service/metadata/a+b`)).body.toString(),
      "space",
    );
    assert.equal(
      (await fetchRaw(`${server.url}/2015-12-19/self/service/metadata/a%2Fb`)).body.toString(),
      "slash",
    );
  });

  it("answers an invalid %-escape with Go's 400 and a bad method or favicon with 404 page not found", async () => {
    assert.equal((await fetchRaw(`${server.url}/2015-12-19/a%zz`)).status, 400);
    for (const [method, path] of [
      ["PUT", "/2015-12-19/containers"],
      ["DELETE", "/"],
      ["GET", "/favicon.ico"],
    ] as const) {
      const res = await fetchRaw(server.url + path, { method });
      assert.equal(res.status, 404);
      assert.equal(res.body.toString(), "404 page not found\n");
      assert.equal(res.headers["access-control-allow-origin"], undefined);
    }
  });

  it("frames like Go: chunked above 2048 bytes, HEAD without length then; Content-Type sniffed", async () => {
    const get = await fetchRaw(`${server.url}/2015-12-19/containers`, { headers: JSON_ACCEPT });
    assert.equal(get.headers["transfer-encoding"], "chunked");
    const head = await fetchRaw(`${server.url}/2015-12-19/containers`, {
      method: "HEAD",
      headers: JSON_ACCEPT,
    });
    assert.equal(head.headers["content-length"], undefined);
    assert.equal(head.headers["transfer-encoding"], undefined);
    assert.equal(head.headers["content-type"], "text/plain; charset=utf-8");
    const page = await fetchRaw(`${server.url}/2015-12-19/self/service/metadata/page`);
    assert.equal(page.headers["content-type"], "text/html; charset=utf-8");
  });

  it("redirects unclean paths with their query", async () => {
    const res = await fetchRaw(`${server.url}/latest//version?wait=true`);
    assert.equal(res.status, 301);
    assert.equal(res.headers["location"], "/latest/version?wait=true");
  });

  it("ignores X-Forwarded-For unless started with xff", async () => {
    const res = await fetchRaw(`${server.url}/2015-12-19/self/container/name`, {
      headers: { "X-Forwarded-For": "10.42.10.11" },
    });
    assert.equal(res.body.toString(), "lb-HTTP-HTTP-generate-maps-1");
    assert.equal(server.requests.entries.at(-1)?.clientIp, "127.0.0.1");
    assert.equal(server.requests.entries.at(-1)?.status, 200);
  });
});

describe("client IPs with xff", () => {
  it("takes the X-Forwarded-For header as is: a list is an unknown client", async () => {
    const server = await startMetadataServer({ tree: loadRecordedTree(), xff: true });
    try {
      const one = await fetchRaw(`${server.url}/2015-12-19/self/container/name`, {
        headers: { "X-Forwarded-For": "10.42.10.11" },
      });
      assert.equal(one.body.toString(), "app-r123-web-1");
      const list = await fetchRaw(`${server.url}/2015-12-19/self`, {
        headers: { "X-Forwarded-For": "10.42.10.11, 10.0.0.1" },
      });
      assert.equal(list.body.toString(), "host/\n");
    } finally {
      await server.close();
    }
  });
});

describe("order modes", () => {
  const tree = buildTree({
    stacks: [{ name: "s", services: [{ name: "web", containers: Array.from({ length: 40 }, () => ({})) }] }],
  });
  const names = async (server: MetadataServer) =>
    (await fetchRaw(`${server.url}/2015-12-19/containers`)).body.toString();

  it("per-reload keeps one order until the next reload; none keeps the given order; per-request varies", async () => {
    const perReload = await startMetadataServer({ tree });
    const none = await startMetadataServer({ tree, shuffle: "none" });
    const perRequest = await startMetadataServer({ tree, shuffle: "per-request" });
    try {
      const first = await names(perReload);
      assert.equal(await names(perReload), first);
      perReload.reload();
      assert.notEqual(await names(perReload), first);
      assert.match(await names(none), /^0=lb-HTTP-1\n1=lb-HTTP-HTTP-generate-maps-1\n2=s-web-1\n/);
      assert.notEqual(await names(perRequest), await names(perRequest));
    } finally {
      await Promise.all([perReload.close(), none.close(), perRequest.close()]);
    }
  });
});

describe("hostile trees", () => {
  it("serves values of any shape, and drops the connection where Go's text listing panics", async () => {
    const server = await startMetadataServer({
      tree: {
        containers: { not: "an array" },
        services: [{ name: 42 }],
        stacks: "x",
        hosts: null,
        "10": [1],
      },
    });
    try {
      const containers = await fetchRaw(`${server.url}/2015-12-19/containers`, { headers: JSON_ACCEPT });
      assert.equal(containers.body.toString(), '{"not":"an array"}');
      await assert.rejects(fetchRaw(`${server.url}/2015-12-19/services`));
      const root = await fetchRaw(`${server.url}/2015-12-19`, { headers: JSON_ACCEPT });
      assert.match(root.body.toString(), /^\{"10":\[1\],"containers":/);
      const self = await fetchRaw(`${server.url}/2015-12-19/self`, { headers: JSON_ACCEPT });
      assert.equal(self.body.toString(), "{}");
    } finally {
      await server.close();
    }
  });
});
