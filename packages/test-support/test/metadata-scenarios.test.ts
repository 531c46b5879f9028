// Scenario helpers: recorded trees, derived API versions, the answers-changed reload, buildTree, remapIps.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../src/repo-root.ts";
import {
  applyRecordedChange,
  buildTree,
  fetchRaw,
  findFixturesDir,
  loadRecordedTree,
  loadRecordedTrees,
  LOOPBACK_REMAP,
  readRecordedJson,
  remapIps,
  startMetadataServer,
  type Tree,
} from "../src/metadata/index.ts";

const JSON_ACCEPT = { Accept: "application/json" };
const GO_MAP_ARRAYS = ["containers", "services", "stacks", "hosts", "networks"];

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetchRaw(url, { headers: { ...JSON_ACCEPT, ...headers } });
  assert.equal(res.status, 200, `${url}: ${res.body.toString()}`);
  return JSON.parse(res.body.toString());
}

// A whole tree (or list) with its Go-map-ordered arrays sorted, for order-insensitive comparison.
function unordered(value: unknown): unknown {
  const sortList = (list: unknown) =>
    Array.isArray(list) ? list.map((x) => JSON.stringify(x)).sort() : list;
  if (Array.isArray(value)) return sortList(value);
  const tree = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(tree).map(([k, v]) => [k, GO_MAP_ARRAYS.includes(k) ? sortList(v) : v]),
  );
}

function withoutVersion(tree: unknown): unknown {
  return { ...(tree as Record<string, unknown>), version: "" };
}

describe("recorded trees", () => {
  it("loads every API version without self, with the default answers' host", () => {
    const trees = loadRecordedTrees();
    assert.deepEqual(Object.keys(trees), ["2015-07-25", "2015-12-19", "2016-07-29"]);
    for (const tree of Object.values(trees)) {
      assert.equal("self" in tree, false);
      assert.equal(tree.defaultHost?.name, "rancher-host-1");
      assert.equal("hostId" in (tree.defaultHost ?? {}), false);
    }
  });

  it("reads the recordings from inside the repository", () => {
    const dir = findFixturesDir();
    const root = repoRoot();
    assert.ok(dir.startsWith(root + "/"), `${dir} is outside ${root}`);
    assert.ok(existsSync(join(dir, "2015-12-19.json")));
  });

  it("derives 2015-07-25, 2016-07-29 and latest from a single 2015-12-19 tree like the real server", async () => {
    const server = await startMetadataServer({ tree: loadRecordedTree(), xff: true });
    try {
      for (const api of ["2015-07-25", "2015-12-19", "2016-07-29"]) {
        const served = await getJson(`${server.url}/${api}`);
        const recorded = readRecordedJson(`${api}.json`);
        assert.deepEqual(unordered(withoutVersion(served)), unordered(withoutVersion(recorded)), api);
      }
      const latest = await getJson(`${server.url}/latest/containers`);
      assert.deepEqual(unordered(latest), unordered(readRecordedJson("latest__containers.json")));
      const root = await getJson(`${server.url}/`);
      assert.deepEqual(Object.keys(root as object), ["2015-07-25", "2015-12-19", "2016-07-29", "latest"]);
    } finally {
      await server.close();
    }
  });
});

describe("reloads", () => {
  it("serves the answers-changed state after setTrees, with a new version", async () => {
    const server = await startMetadataServer({ trees: loadRecordedTrees() });
    try {
      const before = server.version;
      const changed = Object.fromEntries(
        Object.entries(loadRecordedTrees()).map(([k, t]) => [k, applyRecordedChange(t)]),
      );
      assert.notEqual(server.setTrees(changed), before);
      const aliases = await fetchRaw(`${server.url}/2015-12-19/self/service/metadata/aliases`, {
        headers: JSON_ACCEPT,
      });
      assert.equal(aliases.body.toString(), '{"app-r123":["www","shop"],"app-r124":["beta"]}');
      const containers = await getJson(`${server.url}/2015-12-19/containers`);
      assert.deepEqual(
        unordered(containers),
        unordered(readRecordedJson("2015-12-19__containers--after-change.json")),
      );
    } finally {
      await server.close();
    }
  });

  it("update() edits a copy of the current tree; reload() changes only the version", async () => {
    const server = await startMetadataServer({ tree: loadRecordedTree() });
    try {
      const v1 = server.version;
      const v2 = server.reload();
      assert.notEqual(v2, v1);
      assert.equal((await fetchRaw(`${server.url}/latest/version`)).body.toString(), v2);
      server.update((tree) => applyRecordedChange(tree));
      const aliases = await getJson(`${server.url}/2016-07-29/self/service/metadata/aliases`);
      assert.deepEqual(aliases, { "app-r123": ["www", "shop"], "app-r124": ["beta"] });
      server.update((tree) => {
        (tree.containers as Array<Record<string, unknown>>).pop();
      });
      assert.equal(((await getJson(`${server.url}/2015-12-19/containers`)) as unknown[]).length, 9);
    } finally {
      await server.close();
    }
  });
});

describe("remapIps", () => {
  it("leaves no 10.x or 192.168.x address in any recorded tree and keeps the sidekick on 127.0.0.1", () => {
    for (const tree of Object.values(loadRecordedTrees())) {
      const text = JSON.stringify(remapIps(tree, LOOPBACK_REMAP));
      assert.doesNotMatch(text, /(?<![0-9.])(10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+)/);
      assert.match(text, /"primary_ip":"127\.0\.0\.1"/);
      assert.match(text, /"agent_ip":"127\.0\.0\.250"/);
    }
    const ports = (remapIps(loadRecordedTree()).containers as Array<{ name: string; ports: string[] }>).find(
      (c) => c.name === "lb-HTTP-1",
    )?.ports;
    assert.deepEqual(ports, [
      "127.0.0.250:80:80/tcp",
      "127.0.0.250:443:443/tcp",
      "127.0.0.250:1936:1936/tcp",
    ]);
    assert.equal(remapIps("10.42.10.110 10.42.10.11", LOOPBACK_REMAP), "10.42.10.110 127.0.0.11");
  });

  it("serves /self by the remapped loopback addresses", async () => {
    const server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), xff: true });
    try {
      const own = await fetchRaw(`${server.url}/2015-12-19/self/container/name`);
      assert.equal(own.body.toString(), "lb-HTTP-HTTP-generate-maps-1");
      const other = await fetchRaw(`${server.url}/2015-12-19/self/host/agent_ip`, {
        headers: { "X-Forwarded-For": "127.0.0.12" },
      });
      assert.equal(other.body.toString(), "127.0.0.251");
    } finally {
      await server.close();
    }
  });
});

describe("buildTree", () => {
  const spec = {
    domainSelf: { metadata: { aliases: { shop: ["www"] }, ssl_cert: "CERT\n", ssl_key: "KEY\n" } },
    hosts: [
      { name: "h1", agentIp: "127.0.0.250" },
      { name: "h2", agentIp: "127.0.0.251" },
    ],
    stacks: [
      {
        name: "shop",
        services: [
          {
            name: "web",
            port: 8080,
            labels: { "send-proxy": "send-proxy-v2" },
            containers: [
              { ip: "127.0.0.11", health: "healthy" },
              { ip: "127.0.0.12", state: "stopped", uuid: "fixed-uuid" },
            ],
          },
        ],
      },
    ],
    standalone: [{ ip: "127.0.0.99", name: "adhoc" }],
  };

  it("is deterministic and honours explicit uuids", () => {
    assert.equal(JSON.stringify(buildTree(spec)), JSON.stringify(buildTree(spec)));
    const containers = buildTree(spec).containers as Array<Record<string, unknown>>;
    assert.equal(containers.find((c) => c["primary_ip"] === "127.0.0.12")?.["uuid"], "fixed-uuid");
  });

  it("gives objects exactly the fields real ones have", () => {
    const recorded = loadRecordedTree();
    const built = buildTree(spec);
    const keysOf = (list: unknown, pick: (o: Record<string, unknown>) => boolean) =>
      Object.keys((list as Array<Record<string, unknown>>).find(pick) ?? {}).sort();
    for (const [kind, pick] of [
      ["containers", (c: Record<string, unknown>) => c["service_name"] === "web"],
      ["containers", (c: Record<string, unknown>) => c["service_name"] === null],
      ["services", () => true],
      ["stacks", () => true],
      ["hosts", () => true],
      ["networks", () => true],
    ] as const) {
      assert.deepEqual(keysOf(built[kind], pick), keysOf(recorded[kind], pick), kind);
    }
    assert.deepEqual(
      Object.keys(buildTree(spec))
        .filter((k) => k !== "defaultHost")
        .sort(),
      Object.keys(recorded)
        .filter((k) => k !== "defaultHost" && k !== "version")
        .sort(),
    );
  });

  it("serves the proxy's own stack, its metadata and service labels like the recording", async () => {
    const server = await startMetadataServer({ tree: buildTree(spec) });
    try {
      assert.deepEqual(
        await getJson(`${server.url}/2015-12-19/self/service/metadata`),
        spec.domainSelf.metadata,
      );
      const self = (await getJson(`${server.url}/2015-12-19/self`)) as Record<
        string,
        Record<string, unknown>
      >;
      assert.equal(self["container"]?.["name"], "lb-HTTP-HTTP-generate-maps-1");
      assert.equal(self["service"]?.["primary_service_name"], "HTTP");
      assert.equal(typeof self["service"]?.["token"], "string");
      assert.equal(self["stack"]?.["name"], "lb");
      const services = (await getJson(`${server.url}/2015-12-19/services`)) as Array<Record<string, unknown>>;
      assert.ok(
        services.every((s) => s["token"] === null),
        "tokens are hidden outside /self",
      );
      const web = (await getJson(`${server.url}/2015-12-19/containers`)) as Array<
        Record<string, Record<string, string>>
      >;
      const labels = web.find((c) => String(c["name"]) === "shop-web-1")?.["labels"];
      assert.equal(labels?.["map-public-http"], "8080");
      assert.equal(labels?.["send-proxy"], "send-proxy-v2");
    } finally {
      await server.close();
    }
  });

  it("builds and serves 50 000 containers", async () => {
    const services = Array.from({ length: 500 }, (_, s) => ({
      name: `svc${s}`,
      port: 8000 + (s % 100),
      containers: Array.from({ length: 100 }, (_, c) => ({ ip: `127.${1 + (s >> 8)}.${s & 255}.${c + 1}` })),
    }));
    const tree: Tree = buildTree({ stacks: [{ name: "big", services }] });
    assert.equal((tree.containers as unknown[]).length, 50_002);
    const server = await startMetadataServer({ tree });
    try {
      const first = await fetchRaw(`${server.url}/2015-12-19/containers`, { headers: JSON_ACCEPT });
      const second = await fetchRaw(`${server.url}/2015-12-19/containers`, { headers: JSON_ACCEPT });
      assert.equal((JSON.parse(first.body.toString()) as unknown[]).length, 50_002);
      assert.ok(first.body.equals(second.body), "same reload, same order");
      assert.equal(first.headers["transfer-encoding"], "chunked");
    } finally {
      await server.close();
    }
  });
});
