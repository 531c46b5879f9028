// Issue 11.10: the real cycle against the stand-in, watched at the output edge after every rename. Each
// state on disk must be consistent (every backend the map names is declared), whatever the change:
// additions write the backends first, removals the map first, both at once go through a union step.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  createConnectionDrops,
  createMetadataClient,
  MAX_SHARED_BACKENDS,
  MAX_SHARED_SERVERS,
  parseSharedFiles,
  renderBackends,
} from "@rancher-haproxy/core";
import { loadRecordedTree, remapIps, startMetadataServer, type Tree } from "@rancher-haproxy/test-support";
import { oldOutputCap } from "../src/output/old-output-cap.js";
import { SALVAGE_MAX_PROBLEMS, salvageBackends } from "../src/output/salvage-backends.js";
import {
  createCycleState,
  createGeneratorMetrics,
  createStatusState,
  declaredBackends,
  mapBackends,
  MAX_UNION_BYTES,
  planWrites,
  runCycle,
  type Generator,
} from "../src/index.js";
import {
  captureLogger,
  dropStagedTemps,
  editContainers,
  generatorOptions,
  runInSmallHeap,
  tempDir,
} from "./helpers.js";

const TREE = remapIps(loadRecordedTree());

test("11.10: every state between two renames is consistent: additions, removals, both, servers only", async (t) => {
  const { server, paths, generator, state } = await cycleOver(t, TREE);
  const renames: string[] = [];
  const writer = {
    async afterRename(path: string) {
      renames.push(basename(path));
      const map = await readFile(paths.map, "utf8").catch(() => "");
      const declared = declaredBackends(await readFile(paths.backends, "utf8").catch(() => ""));
      for (const backend of mapBackends(map))
        assert.ok(
          declared.has(backend),
          `after renaming ${basename(path)}: the map names missing ${backend}`,
        );
    },
  };
  const cycle = async (edits: Record<string, Record<string, unknown>>) => {
    server.setTree(editContainers(TREE, edits));
    renames.length = 0;
    const result = await runCycle(generator, state, { write: true, writer });
    assert.ok(result.ok, JSON.stringify(result.ok ? null : result.failure));
    return { renames: [...renames], backends: mapBackends(await readFile(paths.map, "utf8")) };
  };

  const first = await cycle({});
  assert.deepEqual(first.renames, ["backends.cfg", "domain.map"]);
  assert.deepEqual([...first.backends].sort(), ["app-r123", "app-r124"]);

  // One stack goes (app-r124), one comes (app-r125): backends = old ∪ new, then the map, then the rest.
  const both = await cycle({
    "app-r124-web-1": { state: "stopped" },
    "app-r125-web-1": { health_state: "healthy" },
  });
  assert.deepEqual(both.renames, ["backends.cfg", "domain.map", "backends.cfg"]);
  assert.deepEqual([...both.backends].sort(), ["app-r123", "app-r125"]);
  assert.ok(!(await readFile(paths.backends, "utf8")).includes("backend app-r124"));

  // Removal only: the map first.
  const removal = await cycle({ "app-r124-web-1": { state: "stopped" } });
  assert.deepEqual(removal.renames, ["domain.map", "backends.cfg"]);
  assert.deepEqual([...removal.backends], ["app-r123"]);

  // Addition only: the backends first.
  const addition = await cycle({});
  assert.deepEqual(addition.renames, ["backends.cfg", "domain.map"]);

  // Servers only: the map does not change.
  const servers = await cycle({ "app-r124-web-2": { state: "running" } });
  assert.deepEqual(servers.renames, ["backends.cfg"]);
});

test("an old backends file the contract refuses: the union step keeps its path and tcp_<port> backends, so the old map still agrees", () => {
  // One hand-added line (an option the contract does not know) sends the union step to its fallback
  // read, which once kept only backends named like a stack: shop.api went missing while the old map routed
  // /api to it, and the reloader, reading between the renames, logged the files as not settled.
  const old = {
    backends: [
      "backend shop",
      "    mode http",
      "    option forwardfor",
      "    server web-1 10.0.0.1:80",
      "",
      "backend shop.api",
      "    mode http",
      "    server api-1 10.0.0.2:8080",
      "",
      "backend tcp_5432",
      "    mode tcp",
      "    server db-1 10.0.0.3:5432",
      "",
    ].join("\n"),
    map: "shop.dev.tld shop\nshop.dev.tld/api shop.api\n",
  };
  assert.equal(parseSharedFiles({ backends: old.backends, map: "" }).ok, false);
  const steps = unionPlan(old, "10.0.0.4");
  const onDisk = { ...old };
  for (const step of steps) {
    onDisk[step.file] = step.content;
    const parsed = parseSharedFiles(onDisk);
    assert.ok(
      parsed.ok,
      `after the ${step.file} step: ${JSON.stringify(parsed.ok ? null : parsed.problems)}`,
    );
  }
  const union = parseSharedFiles({ backends: steps[0]?.content ?? "", map: "" });
  assert.deepEqual(
    union.ok ? union.table.backends.map((backend) => [backend.name, backend.mode ?? "http"]) : null,
    [
      ["blog", "http"],
      ["shop", "http"],
      ["shop.api", "http"],
      ["tcp_5432", "tcp"],
    ],
  );
});

test("an old backends file the contract refuses: the union step keeps every block the contract accepts with its option lines and servers", () => {
  // The refused line is in `other`; `shop` and `tcp_5432` are blocks the contract accepts. The union
  // step's line-by-line read dropped every option line and every server carrying more than a PROXY
  // option: between the renames, the old map routed shop.dev.tld to a `shop` without its HTTPS-only
  // rule, its balance and its sticky cookie, and with no servers at all (each had check, maxconn or a
  // cookie): a reloader reading there served plain HTTP and 503s.
  const shop = [
    "backend shop",
    "    mode http",
    "    balance leastconn",
    "    cookie rh_sticky insert indirect nocache",
    "    option httpchk GET /health",
    "    http-request deny deny_status 403 if !{ ssl_fc }",
    "    server web-1 10.0.0.1:80 send-proxy check inter 2s fall 3 rise 2 maxconn 100 cookie web1",
    "    server web-2 10.0.0.2:80 cookie web2",
    "",
  ].join("\n");
  const old = {
    backends: [
      "# generated by generate-maps: do not edit",
      "",
      "backend other",
      "    mode http",
      "    option forwardfor",
      "    timeout server 30s",
      "    server web-1 10.0.0.5:80 send-proxy maxconn 7",
      "",
      shop,
      "backend tcp_5432",
      "    mode tcp",
      "    server db-1 10.0.0.3:5432 send-proxy-v2 check inter 2s fall 3 rise 2",
      "",
    ].join("\n"),
    map: "other.dev.tld other\nshop.dev.tld shop\n",
  };
  assert.equal(parseSharedFiles({ backends: old.backends, map: "" }).ok, false);
  const steps = unionPlan(old, "10.0.0.4");
  const union = parseSharedFiles({ backends: steps[0]?.content ?? "", map: old.map });
  assert.ok(union.ok, JSON.stringify(union.ok ? null : union.problems));
  const read = (text: string) => {
    const parsed = parseSharedFiles({ backends: text, map: "" });
    assert.ok(parsed.ok, JSON.stringify(parsed.ok ? null : parsed.problems));
    return parsed.table.backends;
  };
  // Each accepted block as the contract reads it alone; the refused one without its refused line only.
  assert.deepEqual(union.table.backends, [
    ...read("backend blog\n    mode http\n    server web-1 10.0.0.4:80\n"),
    ...read(old.backends.replace("    option forwardfor\n", "")).filter((b) => b.name === "other"),
    ...read(shop),
    ...read(
      "backend tcp_5432\n    mode tcp\n    server db-1 10.0.0.3:5432 send-proxy-v2 check inter 2s fall 3 rise 2\n",
    ),
  ]);
  const shopRead = union.table.backends.find((backend) => backend.name === "shop");
  assert.deepEqual(shopRead?.options, {
    balance: "leastconn",
    sticky: true,
    check: "/health",
    https: "only",
  });
  assert.deepEqual(
    shopRead?.servers.map((server) => [
      server.name,
      server.proxy,
      server.check,
      server.maxconn,
      server.cookie,
    ]),
    [
      ["web-1", "send-proxy", true, 100, "web1"],
      ["web-2", undefined, undefined, undefined, "web2"],
    ],
  );
});

test("a hand-edited backends file on the volume: the union step renamed between the map's two states keeps the removed PROXY backend with its options and servers", async (t) => {
  // app-r124 (send-proxy-v2) with https=only, a check, sticky and maxconn; one line the contract refuses
  // is then added to app-r123's block by hand. app-r124 goes while app-r125 comes: the union step once
  // declared app-r124 with neither its options nor its server (it carries a check), so the old map
  // routed app-r124.dev.tld to an empty backend that also served plain HTTP.
  const labelled = editContainers(TREE, {});
  const web1 = findContainer(labelled, "app-r124-web-1");
  web1["labels"] = {
    ...(web1["labels"] as Record<string, string>),
    "map-public-http.https": "only",
    "map-public-http.check": "/healthz",
    "map-public-http.sticky": "true",
    "map-public-http.maxconn": "50",
  };
  const { server, paths, generator, state } = await cycleOver(t, labelled);
  const first = await runCycle(generator, state, { write: true });
  assert.ok(first.ok, JSON.stringify(first.ok ? null : first.failure));
  const written = await readFile(paths.backends, "utf8");
  const before = parseSharedFiles({ backends: written, map: "" });
  assert.ok(before.ok);
  const r124 = before.table.backends.find((backend) => backend.name === "app-r124");
  assert.deepEqual(r124?.options, { sticky: true, check: "/healthz", https: "only" });
  assert.deepEqual(
    r124?.servers.map((s) => [s.proxy, s.check, s.maxconn, typeof s.cookie]),
    [["send-proxy-v2", true, 50, "string"]],
  );
  const edited = written.replace("backend app-r123\n    mode http\n", "$&    option forwardfor\n");
  assert.notEqual(edited, written);
  await writeFile(paths.backends, edited);
  assert.equal(parseSharedFiles({ backends: edited, map: "" }).ok, false);

  server.setTree(
    editContainers(labelled, {
      "app-r124-web-1": { state: "stopped" },
      "app-r125-web-1": { health_state: "healthy" },
    }),
  );
  const states: { renamed: string; backends: string; map: string }[] = [];
  const result = await runCycle(generator, state, {
    write: true,
    writer: {
      async afterRename(path: string) {
        const [backends, map] = [await readFile(paths.backends, "utf8"), await readFile(paths.map, "utf8")];
        states.push({ renamed: basename(path), backends, map });
      },
    },
  });
  assert.ok(result.ok, JSON.stringify(result.ok ? null : result.failure));
  assert.deepEqual(
    states.map((s) => s.renamed),
    ["backends.cfg", "domain.map", "backends.cfg"],
  );
  const union = parseSharedFiles({ backends: states[0]?.backends ?? "", map: states[0]?.map ?? "" });
  assert.ok(union.ok, JSON.stringify(union.ok ? null : union.problems));
  assert.deepEqual(
    union.table.backends.find((backend) => backend.name === "app-r124"),
    r124,
  );
  assert.ok(union.table.hosts.some((host) => host.backend === "app-r124"));
});

test("an old backends file the contract refuses: a block still refused without the lines it named is left out of the union step, not guessed at", () => {
  // A block whose header is refused, one with a second bad line the contract's first read did not reach
  // (it stops at a block's first bad option line), a name declared twice, a top-level section and the
  // last block, cut short (`:8` may be `:80` cut): none is kept. Were the old map to route to one, the
  // reloader would wait that step out as not settled rather than load a guessed block.
  const old = {
    backends: [
      "backend Bad_Name",
      "    server web-1 10.0.0.1:80",
      "",
      "backend two",
      "    mode http",
      "    option forwardfor",
      "    option http-server-close",
      "    server web-1 10.0.0.2:80",
      "",
      "backend twice",
      "    server web-1 10.0.0.3:80",
      "backend twice",
      "    server web-2 10.0.0.4:80",
      "",
      "backend kept",
      "    server web-1 10.0.0.5:80 maxconn 3",
      "",
      "global",
      "    daemon",
      "backend cut",
      "    server web-1 10.0.0.6:8",
    ].join("\n"),
    map: "kept.dev.tld kept\n",
  };
  const union = parseSharedFiles({ backends: unionPlan(old, "10.0.0.7")[0]?.content ?? "", map: old.map });
  assert.ok(union.ok, JSON.stringify(union.ok ? null : union.problems));
  assert.deepEqual(
    union.table.backends.map((backend) => [backend.name, backend.servers.map((s) => [s.name, s.maxconn])]),
    [
      ["blog", [["web-1", undefined]]],
      ["kept", [["web-1", 3]]],
    ],
  );
});

test("an old backends file the contract refuses: salvaging it parses only the blocks that start with `backend`, not every line a hostile volume starts at the first column", () => {
  // 100 000 two-byte lines the contract refuses, around two blocks it accepts: each junk line began a
  // block of its own and cost a parse (a 16 MiB file: 8 million parses, seconds of a blocked loop).
  const junk = "x\n".repeat(100_000);
  const text = `# old\n${junk}backend a\n    server web-1 10.0.0.1:80\n${junk}backend b\n    bogus\n${junk}`;
  let parses = 0;
  const counted: typeof parseSharedFiles = (files, maxProblems) => {
    parses += 1;
    return parseSharedFiles(files, maxProblems);
  };
  assert.deepEqual(
    salvageBackends(text, counted).map((backend) => [backend.name, backend.servers.length]),
    [
      ["a", 1],
      ["b", 0],
    ],
  );
  assert.ok(parses <= 4, `two parses per backend block at most, not ${parses}`);
});

test("an old backends file the contract refuses: salvaging it reads at most MAX_SHARED_BACKENDS blocks, and a name declared again after them is still dropped", () => {
  // A hostile file of `backend b<n>` lines past the contract's backend cap (which refuses it): every
  // block cost a parse and its backend was held (61 MiB, what a cycle writing 30 MiB reads of the old
  // file: 3.8 million parses, 12.7 s, 450 MB held), though the union step keeps no more than the cap.
  const blocks = Array.from({ length: MAX_SHARED_BACKENDS + 1000 }, (_, i) => `backend b${i}\n`);
  const text = `${blocks.join("")}backend b0 \nbackend b1\r\nbackend b2 x\n`;
  let parses = 0;
  const counted: typeof parseSharedFiles = (files, maxProblems) => {
    parses += 1;
    return parseSharedFiles(files, maxProblems);
  };
  const kept = salvageBackends(text, counted);
  assert.equal(parses, MAX_SHARED_BACKENDS);
  // b0 is declared twice (its second header, past the cap, with a trailing blank): which was meant cannot
  // be told; `backend b1\r` and `backend b2 x` are headers the contract refuses, not declarations of b1, b2
  assert.equal(kept.length, MAX_SHARED_BACKENDS - 1);
  assert.deepEqual(
    kept.slice(0, 2).map((backend) => backend.name),
    ["b1", "b2"],
  );
  assert.equal(kept.at(-1)?.name, `b${MAX_SHARED_BACKENDS - 1}`);
});

test("an old backends file the contract refuses: a bare `\\r` line inside a block (a hand edit on Windows) keeps the servers after it in the union step", () => {
  // The contract refuses a line that is only `\r` (or blanks and `\r`) as a control character at its
  // line, inside the block it stands in. The salvage took such a line for a block's first line: the
  // servers after it fell into a block not starting with `backend`, and the union step declared `shop`
  // with web-1 only while the old map routed to it. A header ending in `\r` still starts a block of its
  // own (refused at its line 1, so dropped): its servers never go to the block above it.
  const old = {
    backends: [
      "backend shop",
      "    mode http",
      "    server web-1 10.0.0.1:80",
      "\r",
      "    server web-2 10.0.0.2:80",
      " \t\r",
      "    server web-3 10.0.0.3:80",
      "",
      "backend crlf\r",
      "    server web-1 10.0.0.4:80",
      "",
    ].join("\n"),
    map: "shop.dev.tld shop\n",
  };
  const refused = parseSharedFiles({ backends: old.backends, map: "" });
  // (the whole-file parse skips the refused header at line 9, so its server at line 10 reads as shop's
  // second web-1: one more problem for a file refused anyway; the salvage reads each block alone)
  assert.deepEqual(refused.ok ? null : refused.problems.map((problem) => [problem.line, problem.reason]), [
    ...[
      [4, 1],
      [6, 3],
      [9, 13],
    ].map(([line, column]) => [
      line,
      `contains a control character: a carriage return (\\r) at column ${column} (a CRLF line ending?)`,
    ]),
    [10, 'server "web-1" is declared twice in backend "shop" (first on line 3)'],
  ]);
  const union = parseSharedFiles({ backends: unionPlan(old, "10.0.0.7")[0]?.content ?? "", map: old.map });
  assert.ok(union.ok, JSON.stringify(union.ok ? null : union.problems));
  assert.deepEqual(
    union.table.backends.map((backend) => [backend.name, backend.servers.map((s) => s.address)]),
    [
      ["blog", ["10.0.0.7"]],
      ["shop", ["10.0.0.1", "10.0.0.2", "10.0.0.3"]],
    ],
  );
});

test("an old backends file the contract refuses: a block with more refused lines than the contract lists (20) keeps its other servers in the union step", () => {
  // A newer generator's server option (`weight 10`, unknown here) on 25 server lines of `shop`, beside
  // two servers the contract reads. The contract lists at most 20 problems: the salvage read the block
  // again without those 20, the 5 left refused it again, and the union step dropped `shop` while the old
  // map routed to it (with 1 to 20 such lines it kept `shop` and its two servers).
  const weighted = Array.from({ length: 25 }, (_, i) => `    server new-${i} 10.0.1.${i + 1}:80 weight 10`);
  const old = {
    backends: [
      "backend shop",
      "    mode http",
      "    server web-1 10.0.0.1:80",
      ...weighted,
      "    server web-2 10.0.0.2:80",
      "",
    ].join("\n"),
    map: "shop.dev.tld shop\n",
  };
  const refused = parseSharedFiles({ backends: old.backends, map: "" });
  assert.equal(refused.ok ? 0 : refused.problems.length, 20, "the contract's own list stops at 20");
  const union = parseSharedFiles({ backends: unionPlan(old, "10.0.0.7")[0]?.content ?? "", map: old.map });
  assert.ok(union.ok, JSON.stringify(union.ok ? null : union.problems));
  assert.deepEqual(
    union.table.backends.map((backend) => [backend.name, backend.servers.map((s) => [s.name, s.address])]),
    [
      ["blog", [["web-1", "10.0.0.7"]]],
      [
        "shop",
        [
          ["web-1", "10.0.0.1"],
          ["web-2", "10.0.0.2"],
        ],
      ],
    ],
  );
});

test("an old backends file the contract refuses: a block with SALVAGE_MAX_PROBLEMS refused lines or more is left out after one parse", () => {
  // The salvage's larger list is bounded: a hostile block of 300 000 refused lines costs one parse that
  // stops at SALVAGE_MAX_PROBLEMS problems, not a list of 300 000 nor a second read of the block; a block
  // with one refused line fewer than the bound is still read again and kept.
  const refusedLines = (name: string, count: number) =>
    `backend ${name}\n    server web-1 10.0.0.1:80\n${"    server cut 10.0.0.9\n".repeat(count)}`;
  const text = [
    refusedLines("hostile", 300_000),
    refusedLines("bound", SALVAGE_MAX_PROBLEMS),
    refusedLines("under", SALVAGE_MAX_PROBLEMS - 1),
    "backend good\n    server web-1 10.0.0.2:80\n",
  ].join("");
  const listed: Record<string, number[]> = {};
  const counted: typeof parseSharedFiles = (files, maxProblems) => {
    const parsed = parseSharedFiles(files, maxProblems);
    const name = /^backend (\S+)/.exec(String(files.backends))?.[1] ?? "";
    (listed[name] ??= []).push(parsed.ok ? 0 : parsed.problems.length);
    return parsed;
  };
  assert.deepEqual(
    salvageBackends(text, counted).map((backend) => [backend.name, backend.servers.length]),
    [
      ["under", 1],
      ["good", 1],
    ],
  );
  // one parse each for the blocks dropped at the bound, its list stopped there; two for `under`
  assert.deepEqual(listed, {
    hostile: [SALVAGE_MAX_PROBLEMS],
    bound: [SALVAGE_MAX_PROBLEMS],
    under: [SALVAGE_MAX_PROBLEMS - 1, 0],
    good: [0],
  });
});

// MAX_SHARED_SERVERS server lines s0, s1, ... (one line each), built once for the two tests that fill the
// count cap.
let capLines: string | undefined;
function capServers(): string {
  capLines ??= Array.from(
    { length: MAX_SHARED_SERVERS },
    (_, i) => `    server s${i} 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:80\n`,
  ).join("");
  return capLines;
}

test("the union step stays within the contract's count caps: old blocks past MAX_SHARED_SERVERS are left out, not a union the reloader refuses whole", () => {
  // An old backends file at the cap (one block of 500 000 servers, which the contract accepts) and a
  // write that replaces it by `blog`: the union of both held 500 001 servers, and the reloader refused
  // that step and the next (union and new map) as "more than 500000 servers" (inputs.rejected, a check
  // failure, /healthz 503) before the final file. Leaving the old block out makes the first state one
  // the reloader waits out as not settled (the old map routes to `old`) and the second one it accepts.
  const servers = capServers();
  const old = { backends: `backend old\n    mode http\n${servers}`, map: "old.dev.tld old\n" };
  assert.ok(parseSharedFiles({ backends: old.backends, map: old.map }).ok, "the old files are accepted");
  const steps = unionPlan(old, "10.0.0.7");
  const union = steps[0]?.content ?? "";
  const withOldMap = parseSharedFiles({ backends: union, map: old.map });
  assert.deepEqual(
    withOldMap.ok ? [] : withOldMap.problems.map((problem) => problem.kind ?? problem.reason),
    ["unsettled"],
    "with the old map: not settled, not refused",
  );
  const withNewMap = parseSharedFiles({ backends: union, map: steps[1]?.content ?? "" });
  assert.ok(withNewMap.ok, JSON.stringify(withNewMap.ok ? null : withNewMap.problems));
  assert.deepEqual(
    withNewMap.table.backends.map((backend) => backend.name),
    ["blog"],
  );
});

test("the union step fills the count caps with the blocks the old map routes to first: one it no longer routes to does not crowd them out", () => {
  // An old file at the server cap: `stale` (499 999 servers, named by no line of the old map) first,
  // then `shop` (1 server, routed), and a write replacing both by `blog`. Until 2026-12-05 the old
  // blocks took the room in file order: `stale` filled it, `shop` was left out, and the union beside
  // the old map was a state the reloader waits out as not settled (shop.dev.tld unrouted meanwhile)
  // although a union with `shop` instead fitted.
  const all = capServers();
  const servers = all.slice(0, all.lastIndexOf("    server "));
  assert.equal(servers.split("\n").length - 1, MAX_SHARED_SERVERS - 1);
  const old = {
    backends: `backend stale\n    mode http\n${servers}\nbackend shop\n    mode http\n    server web-1 10.0.0.9:80\n`,
    map: "shop.dev.tld shop\n",
  };
  assert.ok(parseSharedFiles({ backends: old.backends, map: old.map }).ok, "the old files are accepted");
  const steps = unionPlan(old, "10.0.0.7");
  const union = steps[0]?.content ?? "";
  const withOldMap = parseSharedFiles({ backends: union, map: old.map });
  assert.ok(withOldMap.ok, JSON.stringify(withOldMap.ok ? null : withOldMap.problems.slice(0, 3)));
  assert.deepEqual(
    withOldMap.table.backends.map((backend) => backend.name),
    ["blog", "shop"],
  );
  assert.ok(parseSharedFiles({ backends: union, map: steps[1]?.content ?? "" }).ok);
  // the same bytes whatever the order the old blocks were weighed in: sorted by name, as rendered
  assert.equal(union, renderBackends({ backends: withOldMap.table.backends }));
});

test("the union step stays within the reloader's 64 MiB input cap: old blocks that would take it past are left out, not a union the reloader cannot read", () => {
  // Old and new files each far under 64 MiB, the old one within what a cycle reads (oldOutputCap), and
  // well under the count caps: their union held ≈ 69 MB, which the reloader does not read ("is larger
  // than 67108864 bytes") while the old map still routes to the old blocks. The old file is one a
  // generator without the 30 MiB backends cap wrote, or one edited on the volume.
  const line = (i: number) =>
    `    server s${String(i).padStart(7, "0")}-${"a".repeat(110)} 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:80 check inter 2s fall 3 rise 2 maxconn 1000000 cookie ${"c".repeat(32)}\n`;
  const block = (name: string, from: number, count: number) =>
    `backend ${name}\n    mode http\n${Array.from({ length: count }, (_, i) => line(from + i)).join("")}`;
  const olds = Array.from({ length: 20 }, (_, k) => `old${String(k).padStart(2, "0")}`);
  const old = {
    backends: olds.map((name) => block(name, 0, 10_000)).join(""),
    map: olds.map((name) => `${name}.dev.tld ${name}\n`).join(""),
  };
  const next = { backends: block("blog", 0, 100_000), map: "blog.dev.tld blog\n" };
  assert.ok(Buffer.byteLength(old.backends) <= oldOutputCap(next.backends), "a cycle reads the old file");
  assert.ok(Buffer.byteLength(old.backends) + Buffer.byteLength(next.backends) > MAX_UNION_BYTES);
  assert.equal(MAX_UNION_BYTES, 64 * 1024 * 1024, "the reloader's MAX_INPUT_BYTES");
  const steps = planWrites(next, old);
  assert.deepEqual(
    steps.map((step) => step.file),
    ["backends", "map", "backends"],
  );
  const union = steps[0]?.content ?? "";
  assert.ok(Buffer.byteLength(union) <= MAX_UNION_BYTES, `the union has ${Buffer.byteLength(union)} bytes`);
  const withOldMap = parseSharedFiles({ backends: union, map: old.map });
  assert.deepEqual(
    withOldMap.ok ? [] : [...new Set(withOldMap.problems.map((problem) => problem.kind ?? problem.reason))],
    ["unsettled"],
    "with the old map: not settled (some old blocks left out), not refused",
  );
  const withNewMap = parseSharedFiles({ backends: union, map: steps[1]?.content ?? "" });
  assert.ok(withNewMap.ok);
  const names = withNewMap.table.backends.map((backend) => backend.name);
  // the old blocks kept are the first ones of the old file, as many as fit; `blog` always goes in
  assert.ok(names.includes("blog") && names.length > 1 && names.length < olds.length + 1, names.join(","));
  assert.deepEqual(
    names.filter((name) => name !== "blog"),
    olds.slice(0, names.length - 1),
  );
  // ...and no fewer: the next old block (each takes the same bytes) would have passed the cap
  const kept = names.length - 1;
  const blogOnly = Buffer.byteLength(
    renderBackends({ backends: withNewMap.table.backends.filter((backend) => backend.name === "blog") }),
  );
  const perBlock = (Buffer.byteLength(union) - blogOnly) / kept;
  assert.ok(Buffer.byteLength(union) + perBlock > MAX_UNION_BYTES, `${kept} old blocks of ${perBlock} bytes`);
});

test("declaredBackends reads `backend <name>` lines wherever they are, and nothing else", () => {
  const text = [
    "# backend commented",
    "backend a",
    "    server web-1 10.0.0.1:80",
    "backend  b  \r",
    "backends c",
    " backend d",
    "backend e extra",
    "backend f",
  ].join("\n");
  assert.deepEqual([...declaredBackends(text)], ["a", "b", "f"]);
  assert.deepEqual([...declaredBackends(`${text}\n`)], ["a", "b", "f"]);
  assert.deepEqual([...declaredBackends("")], []);
  assert.deepEqual([...declaredBackends("backend")], []);
});

test("the write plan walks an old map line by line: 32 MiB of empty lines in a 128 MiB heap", () => {
  // Split whole, such a map (under the read cap of an old version) was an array of 33 million strings.
  const run = runInSmallHeap(`
    const next = { backends: "backend a\\n", map: "a.dev.tld a\\n" };
    const steps = src.planWrites(next, { backends: "backend a\\n", map: "\\n".repeat(32 * 1024 * 1024) });
    process.stdout.write(JSON.stringify(steps));`);
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  assert.deepEqual(JSON.parse(run.stdout), [{ file: "map", content: "a.dev.tld a\n" }]);
});

test("the map's write fails after the union step: the cycle fails, the backends file counts as written (its diff logged), the next cycle finishes", async (t) => {
  const { server, dir, paths, generator, state, lines } = await cycleOver(t, TREE);
  assert.ok((await runCycle(generator, state, { write: true })).ok);
  const metrics = createGeneratorMetrics(createStatusState(Date.now()), Date.now, createConnectionDrops());
  const counted = async (name: string) => {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels["file"]), v.value]));
  };

  // app-r124 goes, app-r125 comes: the union step is renamed, then the map's rename fails.
  server.setTree(
    editContainers(TREE, {
      "app-r124-web-1": { state: "stopped" },
      "app-r125-web-1": { health_state: "healthy" },
    }),
  );
  let renames = 0;
  const from = lines().length;
  const failed = await runCycle(generator, state, {
    write: true,
    writer: {
      async afterRename() {
        if (++renames === 1) await dropStagedTemps(dir, "domain.map");
      },
    },
  });
  metrics.countCycle(failed);
  assert.equal(failed.ok ? "ok" : failed.stage, "write");
  assert.equal(failed.ok ? null : failed.failure.kind, "ENOENT");
  const backends = await readFile(paths.backends, "utf8");
  assert.deepEqual([...declaredBackends(backends)].sort(), ["app-r123", "app-r124", "app-r125"]);
  assert.deepEqual([...mapBackends(await readFile(paths.map, "utf8"))].sort(), ["app-r123", "app-r124"]);
  assert.deepEqual(await counted("generate_maps_files_written_total"), { backends: 1, map: 0 });
  assert.deepEqual(await counted("generate_maps_file_write_errors_total"), { backends: 0, map: 1 });
  const logged = lines().slice(from);
  const change = logged.find((line) => line["event"] === "file-changed");
  assert.equal(change?.["path"], paths.backends);
  assert.match(String(change?.["diff"]), /^\+backend app-r125$/m);
  assert.deepEqual(
    logged
      .filter((line) => String(line["event"]).startsWith("write-"))
      .map((line) => [line["event"], line["path"]]),
    [
      ["write-postponed", paths.backends],
      ["write-failed", paths.map],
    ],
  );

  // The next cycle writes the map, then the final backends file.
  const next = await runCycle(generator, state, { write: true });
  assert.ok(next.ok, JSON.stringify(next.ok ? null : next.failure));
  assert.deepEqual([...declaredBackends(await readFile(paths.backends, "utf8"))].sort(), [
    "app-r123",
    "app-r125",
  ]);
  assert.deepEqual([...mapBackends(await readFile(paths.map, "utf8"))].sort(), ["app-r123", "app-r125"]);
});

// The container named `name` in `tree` (the recording lists it under /containers), to edit in place.
function findContainer(tree: unknown, name: string): Record<string, unknown> {
  const found: Record<string, unknown>[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== "object" || value === null) return;
    const object = value as Record<string, unknown>;
    if (object["metadata_kind"] === "container" && object["name"] === name) found.push(object);
    Object.values(object).forEach(visit);
  };
  visit(tree);
  const [first] = found;
  assert.ok(first, `no container ${name}`);
  return first;
}

// The write plan from `old` to one new stack (blog, its container at `address`) whose backends and map
// both change: the union step first (backends), then the map, then the final backends.
function unionPlan(old: { backends: string; map: string }, address: string): ReturnType<typeof planWrites> {
  const next = {
    backends: `backend blog\n    mode http\n    server web-1 ${address}:80\n`,
    map: "blog.dev.tld blog\n",
  };
  const steps = planWrites(next, old);
  assert.deepEqual(
    steps.map((step) => step.file),
    ["backends", "map", "backends"],
  );
  return steps;
}

// A stand-in serving `tree`, a temp dir for the two files, and a generator writing there with the removal
// guard off (every state between renames is what these tests look at, not the guard's holds).
async function cycleOver(t: TestContext, tree: Tree) {
  const server = await startMetadataServer({ tree });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const paths = { map: join(dir, "domain.map"), backends: join(dir, "backends.cfg") };
  const { logger, lines } = captureLogger();
  const generator: Generator = {
    logger,
    client: createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19" }),
    options: generatorOptions(server.hostPort, dir, { maxRemovalShare: 1, removalConfirmMs: 0 }),
  };
  return { server, dir, paths, generator, state: createCycleState(logger), lines };
}
