// The metadata source against the stand-in server: a whole snapshot, or a classified failure.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createMetadataClient,
  findCompactEntries,
  MAX_SMALL_ANSWER_BYTES,
  JsonArrayEntries,
  MetadataError,
  type MetadataClient,
} from "@rancher-haproxy/core";
import {
  buildTree,
  findFixturesDir,
  freePort,
  loadRecordedTree,
  remapIps,
  startMetadataServer,
  type MetadataFault,
  type MetadataServer,
} from "@rancher-haproxy/test-support";
import {
  createCycleState,
  describeFailure,
  MetadataShapeError,
  readMetadata,
  runCycle,
  snapshotReadError,
  type Generator,
} from "../src/index.js";
import { ANSWER_CAPS } from "../src/sources/answer-caps.js";
import { captureLogger, generatorOptions, tempDir } from "./helpers.js";

let server: MetadataServer;
let client: MetadataClient;

before(async () => {
  server = await startMetadataServer({ tree: remapIps(loadRecordedTree()), longPollTickMs: 100 });
  client = createMetadataClient({ apiHost: server.hostPort, apiVersion: "2015-12-19", timeoutMs: 400 });
});
after(() => server.close());

test("reads the version first, then containers and aliases", async () => {
  const from = server.requests.entries.length;
  const snapshot = await readMetadata(client);
  const paths = server.requests.entries.slice(from).map((r) => r.path);
  assert.equal(paths[0], "/2015-12-19/version");
  assert.deepEqual(paths.slice(1).sort(), [
    "/2015-12-19/containers",
    "/2015-12-19/self/container/environment_uuid",
    "/2015-12-19/self/service/metadata/aliases",
  ]);
  assert.equal(snapshot.version, server.version);
  // The recording's one environment: containers of another would be skipped (other-environment).
  assert.equal(snapshot.environment, "adadadad-0000-4000-8000-00000000e001");
  assert.deepEqual(snapshot.aliases, { "app-r123": ["www", "shop"] });
  // Read as entries, each parsed when the model reaches it.
  assert.ok(snapshot.containers instanceof JsonArrayEntries);
  const entries = [...snapshot.containers];
  assert.equal(entries.length, 10);
  assert.ok(entries.every((c) => typeof c === "object" && c !== null && !Array.isArray(c)));
  assert.equal(snapshotReadError(snapshot), null);
});

test("the real server's /containers (the recording, as it came) is cut the fast way, at its `},{`", () => {
  for (const file of ["2015-12-19__containers.json", "2016-07-29__containers.json"]) {
    const body = readFileSync(join(findFixturesDir(), file));
    const slices = findCompactEntries([body]);
    const list = JSON.parse(body.toString("utf8")) as unknown[];
    assert.equal(slices?.count, list.length, file);
    const entries = new JsonArrayEntries(
      [body],
      slices ?? assert.fail(),
      "http://127.0.0.1:9/containers",
      "tentative",
    );
    assert.deepEqual([...entries], list, file);
    assert.equal(entries.failure(), null);
  }
});

test("with a version already known (the long poll's answer), /version is not asked again", async () => {
  const from = server.requests.entries.length;
  const snapshot = await readMetadata(client, undefined, "v-from-the-long-poll");
  const paths = server.requests.entries.slice(from).map((r) => r.path);
  assert.deepEqual(paths.sort(), [
    "/2015-12-19/containers",
    "/2015-12-19/self/container/environment_uuid",
    "/2015-12-19/self/service/metadata/aliases",
  ]);
  assert.equal(snapshot.version, "v-from-the-long-poll");
  assert.equal([...snapshot.containers].length, 10);
});

test("the generator's environment is asked by the first cycle only: a container's never changes", async (t) => {
  const dir = await tempDir(t);
  const { logger } = captureLogger();
  const generator: Generator = { logger, client, options: generatorOptions(server.hostPort, dir) };
  const state = createCycleState(logger);
  const asked = () => server.requests.count("/2015-12-19/self/container/environment_uuid");
  const from = asked();
  for (let cycle = 0; cycle < 3; cycle++) assert.ok((await runCycle(generator, state, { write: true })).ok);
  assert.equal(asked() - from, 1, "asked once in three cycles");
  assert.equal(state.environment, "adadadad-0000-4000-8000-00000000e001");
});

test("an environment that skipped containers is asked again at the next cycle: one wrong answer is not kept", async (t) => {
  // The generator's own container (127.0.0.1) said once to be of another environment than every other
  // container: the cycle skips them all as other-environment. Remembered, that answer skipped them at every
  // cycle after metadata answered right again, until the generator restarted.
  const lying = await startMetadataServer({
    tree: buildTree({ stacks: [{ name: "web", services: [{ name: "app", port: 80, containers: [{}] }] }] }),
  });
  t.after(() => lying.close());
  const listed = lying.getTree().containers as Record<string, unknown>[];
  const own = String(listed[0]?.["environment_uuid"]);
  const selfEnvironment = (uuid: string) =>
    lying.update((tree) => {
      for (const container of tree.containers as Record<string, unknown>[])
        if (container["primary_ip"] === "127.0.0.1") container["environment_uuid"] = uuid;
    });
  selfEnvironment("adadadad-0000-4000-8000-0000000000ee");
  const dir = await tempDir(t);
  const { logger } = captureLogger();
  const generator: Generator = {
    logger,
    client: createMetadataClient({ apiHost: lying.hostPort, apiVersion: "2015-12-19", timeoutMs: 400 }),
    options: generatorOptions(lying.hostPort, dir),
  };
  const state = createCycleState(logger);
  const first = await runCycle(generator, state, { write: true });
  assert.ok(first.ok);
  assert.deepEqual(
    first.table.skipped.map((s) => [s.stack, s.code]),
    [["web", "other-environment"]],
  );
  selfEnvironment(own);
  const second = await runCycle(generator, state, { write: true });
  assert.ok(second.ok);
  assert.deepEqual(second.table.skipped, []);
  assert.deepEqual(
    second.table.backends.map((b) => [b.name, b.servers.length]),
    [["web", 1]],
  );
  assert.equal(state.environment, own);
});

test("an environment asked again after a skip is kept when metadata answers 404 or fails: a linked environment's container stays skipped", async (t) => {
  // A legitimate skip at every cycle: /containers lists a labelled container of a linked environment, so
  // every cycle asks the environment again. One 404 of that (metadata not knowing the generator's address
  // for a moment, as after a redeploy) forgot the environment and routed the other environment's
  // container here; one failed request of it failed the whole read.
  const linked = await startMetadataServer({
    tree: buildTree({
      stacks: [
        { name: "web", services: [{ name: "app", port: 80, containers: [{}] }] },
        { name: "shop", services: [{ name: "app", port: 80, containers: [{}] }] },
      ],
    }),
  });
  t.after(() => linked.close());
  const containers = (tree: Record<string, unknown>) => tree["containers"] as Record<string, unknown>[];
  const own = String(containers(linked.getTree())[0]?.["environment_uuid"]);
  await linked.update((tree) => {
    for (const container of containers(tree))
      if (container["stack_name"] === "shop")
        container["environment_uuid"] = "adadadad-0000-4000-8000-0000000000ee";
  });
  const dir = await tempDir(t);
  const { logger } = captureLogger();
  const client = createMetadataClient({ apiHost: linked.hostPort, apiVersion: "2015-12-19", timeoutMs: 400 });
  const generator: Generator = { logger, client, options: generatorOptions(linked.hostPort, dir) };
  const routed = (result: Awaited<ReturnType<typeof runCycle>>) => {
    assert.ok(result.ok, JSON.stringify(result.ok ? null : result.failure));
    assert.deepEqual(
      result.table.skipped.map((s) => [s.stack, s.code]),
      [["shop", "other-environment"]],
    );
    assert.deepEqual(
      result.table.backends.map((b) => b.name),
      ["web"],
    );
  };
  const state = createCycleState(logger);
  routed(await runCycle(generator, state, { write: true }));
  // Metadata does not know the generator's address (127.0.0.1) for a cycle: every self/ path is 404.
  const from = linked.requests.entries.length;
  await linked.update((tree) => {
    for (const container of containers(tree))
      if (container["primary_ip"] === "127.0.0.1") container["primary_ip"] = "127.0.0.9";
  });
  routed(await runCycle(generator, state, { write: true }));
  const asked = linked.requests.entries.slice(from).filter((r) => r.path.endsWith("/environment_uuid"));
  assert.deepEqual(
    asked.map((r) => r.status),
    [404],
    "asked again, answered 404",
  );
  assert.equal(state.environment, own);
  // The environment's request fails (nothing listens where it goes); the rest answer as usual.
  const dead = createMetadataClient({
    apiHost: `127.0.0.1:${await freePort()}`,
    apiVersion: "2015-12-19",
    timeoutMs: 400,
  });
  const failing: Generator = {
    ...generator,
    client: {
      baseUrl: client.baseUrl,
      getJson: (path, signal, reading) =>
        (path === "self/container/environment_uuid" ? dead : client).getJson(path, signal, reading),
      getText: (path, signal) => client.getText(path, signal),
      waitForVersion: (last, maxWait, signal) => client.waitForVersion(last, maxWait, signal),
    },
  };
  routed(await runCycle(failing, state, { write: true }));
  assert.equal(state.environment, own);
});

// f524fb9 keeps a known environment when asking it again fails; before any answer a failed request of
// it still fails the read (a 404 alone means "not known"): no test held that, so making every failure
// "not known" passed them all.
test("a failed environment request fails the read before any answer; asked again after a skip, it keeps the known one", async () => {
  // The environment's request goes where nothing listens (a real ECONNREFUSED); the rest to the stand-in.
  const dead = createMetadataClient({
    apiHost: `127.0.0.1:${await freePort()}`,
    apiVersion: "2015-12-19",
    timeoutMs: 400,
  });
  const environmentFails: MetadataClient = {
    baseUrl: client.baseUrl,
    getJson: (path, signal, reading) =>
      (path === "self/container/environment_uuid" ? dead : client).getJson(path, signal, reading),
    getText: (path, signal) => client.getText(path, signal),
    waitForVersion: (last, maxWait, signal) => client.waitForVersion(last, maxWait, signal),
  };
  for (const askAgain of [false, true])
    await assert.rejects(readMetadata(environmentFails, undefined, undefined, null, askAgain), (error) => {
      assert.ok(error instanceof MetadataError, String(error));
      assert.equal(error.kind, "network", error.message);
      assert.match(error.message, /environment_uuid/);
      return true;
    });
  const known = "adadadad-0000-4000-8000-0000000000aa";
  const kept = await readMetadata(environmentFails, undefined, undefined, known, true);
  assert.equal(kept.environment, known);
});

// The environment uuid is kept for the process's life and compared with every container's: any non-empty
// string was kept, up to the 64 MiB answer cap (review of 2026-12-06).
test("an environment answer that is not a short token is refused, naming what came; a known one is kept", async (t) => {
  const odd = await startMetadataServer({
    tree: buildTree({ stacks: [{ name: "web", services: [{ name: "app", port: 80, containers: [{}] }] }] }),
  });
  t.after(() => odd.close());
  const oddClient = createMetadataClient({
    apiHost: odd.hostPort,
    apiVersion: "2015-12-19",
    timeoutMs: 2000,
  });
  const selfEnvironment = (uuid: string) =>
    odd.update((tree) => {
      for (const container of tree.containers as Record<string, unknown>[])
        if (container["primary_ip"] === "127.0.0.1") container["environment_uuid"] = uuid;
    });
  // The longest answer read (4 094 characters, quoted: MAX_SMALL_ANSWER_BYTES) is still judged by its shape.
  for (const answer of ["e".repeat(4094), "u".repeat(129), "a b", 'a"b', "-x", "a\u0000b"]) {
    await selfEnvironment(answer);
    await assert.rejects(readMetadata(oddClient), (error: unknown) => {
      assert.ok(error instanceof MetadataShapeError, `${answer.length}: ${String(error)}`);
      assert.equal(describeFailure(error).kind, "wrong-shape");
      assert.match(
        error.message,
        /\/self\/container\/environment_uuid: environment_uuid answer has the wrong shape/,
      );
      // The rule in full: "-x" is made of the characters named, and was refused without saying why.
      assert.match(error.message, /letters, digits, '\.', '_' or '-', starting with a letter or digit, got /);
      assert.ok(error.message.includes(`(${answer.length} characters)`), error.message);
      assert.ok(error.message.length < 400, `${error.message.length} characters of message`);
      return true;
    });
    // Asked again after a skip, the known one stays, as when the request fails.
    const known = "adadadad-0000-4000-8000-0000000000aa";
    assert.equal((await readMetadata(oddClient, undefined, undefined, known, true)).environment, known);
  }
  // A uuid, a name like the default environment's, the longest accepted.
  for (const answer of ["adadadad-0000-4000-8000-0000000000ee", "adminProject", "u".repeat(128)]) {
    await selfEnvironment(answer);
    assert.equal((await readMetadata(oddClient)).environment, answer);
  }
});

test("a 404 on aliases means no aliases", async (t) => {
  const bare = await startMetadataServer({
    tree: buildTree({ stacks: [{ name: "web", services: [{ name: "app", port: 80, containers: [{}] }] }] }),
  });
  t.after(() => bare.close());
  const snapshot = await readMetadata(
    createMetadataClient({ apiHost: bare.hostPort, apiVersion: "2015-12-19" }),
  );
  assert.deepEqual(snapshot.aliases, {});
  assert.equal(snapshot.selfKnown, true, "self/service/name answers: metadata knows the generator");
  assert.equal([...snapshot.containers].length, 3);
});

test("a 404 on aliases from a server that does not know the generator's own container: selfKnown false", async (t) => {
  // The generator's container on 127.0.0.222: requests from 127.0.0.1 get the "default" answers.
  const stranger = await startMetadataServer({
    tree: buildTree({
      stacks: [{ name: "web", services: [{ name: "app", port: 80, containers: [{}] }] }],
      domainSelf: { ip: "127.0.0.222", metadata: { aliases: { web: ["www"] } } },
    }),
  });
  t.after(() => stranger.close());
  const from = stranger.requests.entries.length;
  const snapshot = await readMetadata(
    createMetadataClient({ apiHost: stranger.hostPort, apiVersion: "2015-12-19" }),
  );
  assert.equal(snapshot.selfKnown, false);
  assert.deepEqual(snapshot.aliases, {});
  assert.equal(snapshot.environment, null, "its own environment unknown: no container is skipped for it");
  const paths = stranger.requests.entries.slice(from).map((r) => r.path);
  assert.ok(paths.includes("/2015-12-19/self/service/name"), paths.join(" "));
  // Answered aliases need no second request.
  const known = stranger.requests.entries.length;
  const read = await readMetadata(client);
  assert.equal(read.selfKnown, true);
  assert.equal(stranger.requests.entries.length, known);
  assert.ok(!server.requests.entries.some((r) => r.path.endsWith("/self/service/name")));
});

test("the other API versions read the same way", async () => {
  for (const apiVersion of ["2016-07-29", "latest"]) {
    const snapshot = await readMetadata(createMetadataClient({ apiHost: server.hostPort, apiVersion }));
    assert.equal([...snapshot.containers].length, 10, apiVersion);
    assert.deepEqual(snapshot.aliases, { "app-r123": ["www", "shop"] }, apiVersion);
  }
});

const FAULTS: [string, MetadataFault, string, RegExp][] = [
  ["HTTP 500", { kind: "status-500" }, "http-status", /HTTP 500/],
  ["a body that is not JSON", { kind: "invalid-json" }, "invalid-json", /not JSON/],
  ["an empty body", { kind: "empty-body" }, "invalid-json", /empty body/],
  ["valid JSON of the wrong shape", { kind: "wrong-shape" }, "wrong-shape", /wrong shape/],
  ["a 404 on containers (not: no containers)", { kind: "containers-404" }, "not-found", /404/],
  ["no answer within the timeout", { kind: "slow", delayMs: 3000 }, "timeout", /within 400 ms/],
  ["an answer cut short", { kind: "cut" }, "network", /request failed/],
  ["connection refused", { kind: "refuse" }, "network", /ECONNREFUSED/],
];

for (const [name, fault, kind, message] of FAULTS) {
  test(`fails the read, classified, on ${name}`, async (t) => {
    await server.setFault(fault);
    t.after(() => server.setFault(null));
    const error = await readMetadata(client).then(
      () => assert.fail("the read should fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof MetadataError || error instanceof MetadataShapeError, String(error));
    assert.deepEqual({ kind: describeFailure(error).kind }, { kind });
    assert.match(describeFailure(error).message, message);
    assert.match(describeFailure(error).message, new RegExp(server.hostPort.replace(/\./g, "\\.")));
  });
}

test("a /containers entry that is not JSON is found once the entries are read: the whole answer is refused", async (t) => {
  await server.setFault({ kind: "invalid-entry" });
  t.after(() => server.setFault(null));
  const snapshot = await readMetadata(client);
  const error = snapshotReadError(snapshot);
  assert.ok(error instanceof MetadataError, String(error));
  assert.equal(describeFailure(error).kind, "invalid-json");
  assert.match(error.message, /\/2015-12-19\/containers: answer is not JSON \(\d+ bytes: \[/);
});

test("wrong shapes are named precisely: containers must be a list; bad entries and aliases are the model's", async () => {
  const fake = (answers: Record<string, unknown>): MetadataClient => ({
    baseUrl: "http://fake/2015-12-19",
    getJson: async (path) => answers[path],
    getText: async () => "",
    waitForVersion: async () => "v",
  });
  const base = { version: "v1", containers: [], "self/service/metadata/aliases": {} };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, containers: { a: {} } }, /containers answer has the wrong shape: .*expected array/],
    [{ ...base, containers: "x" }, /containers answer has the wrong shape/],
    [{ ...base, containers: null }, /containers answer has the wrong shape/],
    [{ ...base, version: "" }, /version answer has the wrong shape/],
    [{ ...base, version: 7 }, /version answer has the wrong shape/],
    [{ ...base, version: "\ud800" }, /version answer has the wrong shape: expected 1 to 256 printable ASCII/],
    [{ ...base, version: "a b" }, /version answer has the wrong shape/],
    [{ ...base, version: "v".repeat(257) }, /version answer has the wrong shape/],
  ];
  for (const [answers, message] of cases) {
    await assert.rejects(readMetadata(fake(answers)), (error: unknown) => {
      assert.ok(error instanceof MetadataShapeError);
      assert.match(error.message, message);
      return true;
    });
  }
  // Issue 11.6: one bad entry, or aliases given as a list, no longer fails the whole snapshot.
  const mixed = await readMetadata(fake({ ...base, containers: [{}, 3, []] }));
  assert.deepEqual(mixed.containers, [{}, 3, []]);
  const listed = await readMetadata(fake({ ...base, "self/service/metadata/aliases": ["www"] }));
  assert.deepEqual(listed.aliases, ["www"]);
  const proto = JSON.parse('[{"__proto__":{"x":1},"name":"p"}]') as unknown[];
  const snapshot = await readMetadata(fake({ ...base, containers: proto }));
  assert.equal([...snapshot.containers][0], proto[0], "the parsed objects are kept as they are");
});

test("one request failing cancels the other: no sibling keeps reading after the cycle failed", async () => {
  for (const failing of ["containers", "self/service/metadata/aliases"]) {
    const signals = new Map<string, AbortSignal | undefined>();
    const stub: MetadataClient = {
      baseUrl: "http://stub",
      getText: () => Promise.reject(new Error("not used")),
      waitForVersion: () => Promise.reject(new Error("not used")),
      getJson(path, signal) {
        signals.set(path, signal);
        if (path === failing) return Promise.reject(new MetadataError("http-status", path, "HTTP 500", 500));
        // The other one answers only when cancelled, as a slow answer would.
        return new Promise((_resolve, reject) =>
          signal?.addEventListener("abort", () => reject(new MetadataError("aborted", path, "aborted"))),
        );
      },
    };
    await assert.rejects(readMetadata(stub, undefined, "7"), (error: unknown) => {
      assert.ok(error instanceof MetadataError && error.kind === "http-status", `${failing}: its own error`);
      return true;
    });
    const other = failing === "containers" ? "self/service/metadata/aliases" : "containers";
    assert.equal(signals.get(other)?.aborted, true, `${other} is cancelled when ${failing} fails`);
  }
});

// A metadata server answering a snapshot's read with fixed bodies: `answers[path]` (a path relative to
// /2015-12-19/; absent: 404); a client of it.
async function fixedAnswers(t: TestContext, answers: Record<string, string>) {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]?.replace(/^\/2015-12-19\//, "") ?? "";
    const body = answers[path];
    if (body === undefined) {
      res.statusCode = 404;
      res.end('{"code":404,"message":"Not found","type":"error"}\n');
    } else res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return createMetadataClient({ apiHost: `127.0.0.1:${port}`, apiVersion: "2015-12-19", timeoutMs: 5000 });
}

// The rejection of a read past `cap` on `path`: too-large, naming the path and the cap.
function tooLarge(path: string, cap: number) {
  return (error: unknown) => {
    assert.ok(error instanceof MetadataError, String(error));
    assert.equal(describeFailure(error).kind, "too-large", error.message);
    assert.ok(error.message.includes(`/${path}: `), error.message);
    assert.ok(
      error.message.endsWith(
        `answer larger than ${cap} bytes (the cap of this path's answer): not read further`,
      ),
      error.message,
    );
    return true;
  };
}

// The three small answers beside /containers were read to the general 64 MiB cap, every cycle; the
// environment uuid's length was checked only once all of it had been read (review of 2026-12-06).
test("environment_uuid and self/service/name are read to 4 KiB, the aliases to ANSWER_CAPS.aliases", async (t) => {
  assert.equal(MAX_SMALL_ANSWER_BYTES, 4096);
  assert.equal(ANSWER_CAPS.aliases, 32_500_002, "100 000 names of 253 characters and stacks of 63");
  const base = { version: '"v1"', containers: "[]", "self/container/environment_uuid": '"env-1"' };
  const mib = JSON.stringify("e".repeat(1 << 20));

  const environment = await fixedAnswers(t, { ...base, "self/container/environment_uuid": mib });
  await assert.rejects(
    readMetadata(environment),
    tooLarge("self/container/environment_uuid", MAX_SMALL_ANSWER_BYTES),
  );

  // self/service/name is asked when the aliases answer 404.
  const service = await fixedAnswers(t, { ...base, "self/service/name": mib });
  await assert.rejects(readMetadata(service), tooLarge("self/service/name", MAX_SMALL_ANSWER_BYTES));
  const named = await fixedAnswers(t, { ...base, "self/service/name": JSON.stringify("s".repeat(4094)) });
  assert.equal((await readMetadata(named)).selfKnown, true, "4 096 bytes are read");

  // The aliases: one byte past the cap is refused, the cap itself read (its one long name is the model's).
  const aliasesOf = (bytes: number) => {
    const frame = '{"web":[""]}';
    return `{"web":["${"w".repeat(bytes - frame.length)}"]}`;
  };
  const over = await fixedAnswers(t, {
    ...base,
    "self/service/metadata/aliases": aliasesOf(ANSWER_CAPS.aliases + 1),
  });
  await assert.rejects(readMetadata(over), tooLarge("self/service/metadata/aliases", ANSWER_CAPS.aliases));
  const atCap = await fixedAnswers(t, {
    ...base,
    "self/service/metadata/aliases": aliasesOf(ANSWER_CAPS.aliases),
  });
  const read = await readMetadata(atCap);
  assert.equal((read.aliases as Record<string, string[]>)["web"]?.[0]?.length, ANSWER_CAPS.aliases - 12);
});
