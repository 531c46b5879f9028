// Issue 7, the mass-removal guard, through the real command with a 2 s confirmation window (10 s where the
// test must act within it) and a 30 s interval (so a release comes from the hold's own deadline, not from the
// safety-net refetch): growth and small removals apply at once, 4 -> 0 waits for the window, a health flap
// shorter than the window never touches the files, an aliases answer that flaps to 404 keeps the aliases, and
// a restart during an outage (or while the aliases answer 404) keeps the routes of the files on disk.
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import {
  buildTree,
  startMetadataServer,
  type MetadataServer,
  type Tree,
} from "@rancher-haproxy/test-support";
import { assertUnchanged, readFileStates, readOrUndefined } from "./fault-support/file-state.js";
import { outputPaths, startGenerator } from "./fault-support/spawn-generator.js";
import { tempDir, waitFor } from "./helpers.js";

const CONFIRM_SECONDS = 2;
// The window of a test that must act before the window ends (check the files are untouched, put the
// answer back) once it has seen the hold line: with 2 s, a test process 1.5 s late seeing that line (a
// loaded CI machine) found the hold confirmed and its answer written.
const LONG_CONFIRM_SECONDS = 10;

// Stack `shop` with `count` web containers on 127.0.0.30+ (and stack `blog` with `blog` of them), and the
// aliases the proxy's own service metadata gives (none: its aliases path answers 404).
function tree(
  count: number,
  options: {
    health?: string;
    blog?: number;
    aliases?: Record<string, string[]>;
    generation?: number;
    /** the generator's own container's address in metadata (default 127.0.0.1, where it asks from) */
    selfIp?: string;
  } = {},
): Tree {
  // A later generation is the same containers recreated (an upgrade): new uuids, new names.
  const generation = options.generation ?? 0;
  const web = (stack: string, n: number, base: number) => ({
    name: stack,
    services: [
      {
        name: "web",
        port: 80,
        containers: Array.from({ length: n }, (_, i) => ({
          ip: `127.0.0.${base + i}`,
          health: options.health ?? "healthy",
          ...(generation === 0
            ? {}
            : {
                name: `${stack}-web-g${generation}-${i + 1}`,
                uuid: `00000000-0000-4000-8000-${String(generation).padStart(4, "0")}${String(base + i).padStart(8, "0")}`,
              }),
        })),
      },
    ],
  });
  const stacks = [web("shop", count, 30), web("blog", options.blog ?? 0, 60)];
  if (options.aliases === undefined) return buildTree({ stacks });
  const self = options.selfIp === undefined ? {} : { ip: options.selfIp };
  return buildTree({ stacks, domainSelf: { ...self, metadata: { aliases: options.aliases } } });
}

const serverLines = (text: string | undefined) =>
  (text ?? "").split("\n").filter((l) => l.startsWith("    server "));

async function setup(t: TestContext, initial: Tree, confirmSeconds = CONFIRM_SECONDS) {
  // Teardown runs in the order it was registered: the generators stop before their directory goes (one
  // still writing made the removal fail with ENOTEMPTY, and the generator was left running).
  const started: ReturnType<typeof startGenerator>[] = [];
  t.after(() =>
    Promise.all(started.map((generator) => generator.stop({ signal: "SIGKILL", timeoutMs: 5000 }))),
  );
  const server = await startMetadataServer({ tree: initial, longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const paths = outputPaths(dir);
  const start = () => {
    const generator = startGenerator(t, {
      hostPort: server.hostPort,
      dir,
      interval: 30,
      confirmSeconds,
    });
    started.push(generator);
    return generator;
  };
  return { server, paths, start };
}

async function servers(path: string, count: number, deadlineMs: number): Promise<void> {
  await waitFor(`${count} server lines in ${path}`, deadlineMs, async () =>
    serverLines(await readOrUndefined(path)).length === count ? true : undefined,
  );
}

// Three aliases of two stacks, and the map lines they give once written.
const ALIASES = { shop: ["www", "store"], blog: ["news"] };
async function aliasLines(mapPath: string): Promise<void> {
  await waitFor("the alias lines", 10_000, async () =>
    (await readOrUndefined(mapPath))?.includes("www.dev.tld") ? true : undefined,
  );
}

// Sleeps until a time a log line gave (ISO, the wall clock the test shares with the generator) is `marginMs`
// past: the end of a hold's window, after which nothing may be written either.
async function pastTime(iso: unknown, marginMs: number): Promise<void> {
  const ms = Date.parse(String(iso)) + marginMs - Date.now();
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

// The generator is waiting on its long poll: the next change is seen at once.
async function settled(server: MetadataServer): Promise<void> {
  await waitFor("the long poll", 5000, () => (server.waitingLongPolls > 0 ? true : undefined));
}

test("growth and removals within the allowed share are written at once", async (t) => {
  const { server, paths, start } = await setup(t, tree(4, { blog: 4 }));
  const gen = start();
  await servers(paths.backends, 8, 10_000);
  await settled(server);
  server.setTree(tree(8, { blog: 4 })); // growth: 8 -> 12
  await servers(paths.backends, 12, 2000);
  server.setTree(tree(2, { blog: 4 })); // 6 of 12 removed: exactly half is allowed
  await servers(paths.backends, 6, 2000);
  // A window begun with the 12 (a cycle half a window after the growth's, on a loaded machine) would
  // count the next step as 8 of 12 and hold it, rightly: the step waits until any such window has ended.
  const six = await gen.waitForEvent("cycle", { match: (line) => line["routed"] === 6 });
  await pastTime(six["time"], CONFIRM_SECONDS * 1000 + 200);
  server.setTree(tree(2, { blog: 2 })); // 2 of 6
  await servers(paths.backends, 4, 2000);
  assert.equal(gen.count("guard.hold"), 0);
});

test("an upgrade that replaces every container (new uuids, in one answer) is written at once, even of one", async (t) => {
  const { server, paths, start } = await setup(t, tree(1));
  const gen = start();
  await servers(paths.backends, 1, 10_000);
  await settled(server);
  const before = serverLines(await readOrUndefined(paths.backends));
  server.setTree(tree(1, { generation: 1 })); // the only container replaced
  await waitFor("the new container's server line", 2000, async () => {
    const lines = serverLines(await readOrUndefined(paths.backends));
    return lines.length === 1 && lines[0] !== before[0] ? true : undefined;
  });
  await settled(server);
  server.setTree(tree(4, { generation: 1 }));
  await servers(paths.backends, 4, 2000);
  await settled(server);
  server.setTree(tree(4, { generation: 2 })); // all four replaced at once
  await waitFor("the third generation's servers", 2000, async () =>
    (await readOrUndefined(paths.backends))?.includes("00000000-0000-4000-8000-0002") ? true : undefined,
  );
  assert.equal(serverLines(await readOrUndefined(paths.backends)).length, 4);
  assert.equal(gen.count("guard.hold"), 0);
});

test("scaling 4 -> 0 is held for the confirmation window, then written", async (t) => {
  const { server, paths, start } = await setup(t, tree(4), LONG_CONFIRM_SECONDS);
  const gen = start();
  await servers(paths.backends, 4, 10_000);
  await settled(server);
  const before = await readFileStates([paths.backends, paths.map]);
  server.setTree(tree(0));
  const hold = await gen.waitForEvent("guard.hold", { timeoutMs: 10_000 });
  assert.deepEqual(
    [hold["applied"], hold["removed"], hold["removedShare"], hold["confirmSeconds"]],
    [4, 4, 1, LONG_CONFIRM_SECONDS],
  );
  assert.match(String(hold.msg), /would remove 4 of 4 routed containers at once \(100 %, more than 50 %\)/);
  await assertUnchanged(before, "during the hold");
  const release = await gen.waitForEvent("guard.release", {
    timeoutMs: LONG_CONFIRM_SECONDS * 1000 + 10_000,
  });
  assert.equal(release["outcome"], "confirmed");
  assert.ok(Number(release["heldMs"]) >= LONG_CONFIRM_SECONDS * 1000, `held ${String(release["heldMs"])} ms`);
  await servers(paths.backends, 0, 5000);
  assert.equal(await readOrUndefined(paths.map), "");
});

test("every container reinitializing for less than the window never touches the files", async (t) => {
  const { server, paths, start } = await setup(t, tree(4), LONG_CONFIRM_SECONDS);
  const gen = start();
  await servers(paths.backends, 4, 10_000);
  await settled(server);
  const before = await readFileStates([paths.backends, paths.map]);
  server.setTree(tree(4, { health: "reinitializing" })); // a network-agent restart, say
  const hold = await gen.waitForEvent("guard.hold", { timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  server.setTree(tree(4));
  const release = await gen.waitForEvent("guard.release", { timeoutMs: 10_000 });
  assert.equal(release["outcome"], "recovered");
  // Past the end of the window the first hold had: still nothing written.
  await pastTime(hold["releaseAt"], 1000);
  await assertUnchanged(before, "after the flap");
  assert.equal(gen.count("file-changed"), 2, "only the two files of the first cycle");
});

test("an aliases answer that flaps to 404 is held: the aliases keep routing, and come back untouched", async (t) => {
  const { server, paths, start } = await setup(
    t,
    tree(2, { blog: 2, aliases: ALIASES }),
    LONG_CONFIRM_SECONDS,
  );
  const gen = start();
  await aliasLines(paths.map);
  await settled(server);
  const before = await readFileStates([paths.backends, paths.map]);
  server.setTree(tree(2, { blog: 2 }));
  const hold = await gen.waitForEvent("guard.hold", { timeoutMs: 10_000 });
  assert.deepEqual([hold["removed"], hold["aliasesApplied"], hold["aliasesRemoved"]], [0, 3, 3]);
  assert.match(String(hold.msg), /would remove 3 of 3 aliases of stacks still routed at once/);
  await assertUnchanged(before, "during the hold");
  server.setTree(tree(2, { blog: 2, aliases: ALIASES }));
  assert.equal((await gen.waitForEvent("guard.release", { timeoutMs: 10_000 }))["outcome"], "recovered");
  await pastTime(hold["releaseAt"], 1000);
  await assertUnchanged(before, "after the flap");
});

test("metadata no longer knowing the generator's own container keeps the aliases last read, one alias too", async (t) => {
  const aliases = { blog: ["news"] };
  const { server, paths, start } = await setup(t, tree(2, { blog: 1, aliases }));
  const gen = start();
  await servers(paths.backends, 3, 10_000);
  await waitFor("the alias line", 10_000, async () =>
    (await readOrUndefined(paths.map))?.includes("news.dev.tld") ? true : undefined,
  );
  await settled(server);
  // The generator's address unknown to metadata (as after a redeploy): its aliases path answers 404.
  server.setTree(tree(3, { blog: 1, aliases, selfIp: "127.0.0.222" }));
  const unknown = await gen.waitForEvent("aliases.self-unknown", { timeoutMs: 5000 });
  assert.equal(unknown["kept"], "last-read");
  await servers(paths.backends, 4, 5000); // the same cycle's other changes are written
  assert.match((await readOrUndefined(paths.map)) ?? "", /news\.dev\.tld/, "the alias is kept");
  await settled(server);
  server.setTree(tree(3, { blog: 1, aliases: { blog: ["news", "daily"] } }));
  await gen.waitForEvent("aliases.self-known", { timeoutMs: 5000 });
  await waitFor("the new alias", 5000, async () =>
    (await readOrUndefined(paths.map))?.includes("daily.dev.tld") ? true : undefined,
  );
  assert.equal(gen.count("guard.hold"), 0);
  assert.equal(gen.count("aliases.self-unknown"), 1, "logged once per episode");
});

test("a generator started again where metadata does not know its own container keeps the map's aliases", async (t) => {
  const aliases = { blog: ["news"] };
  const { server, paths, start } = await setup(t, tree(2, { blog: 1, aliases }));
  const first = start();
  await waitFor("the alias line", 10_000, async () =>
    (await readOrUndefined(paths.map))?.includes("news.dev.tld") ? true : undefined,
  );
  await first.stop({ signal: "SIGTERM", timeoutMs: 5000 });
  // Redeployed on an address metadata does not know yet; one container more, so the cycle writes.
  server.setTree(tree(3, { blog: 1, aliases, selfIp: "127.0.0.222" }));
  const again = start();
  const unknown = await again.waitForEvent("aliases.self-unknown", { timeoutMs: 10_000 });
  assert.equal(unknown["kept"], "map-on-disk");
  await servers(paths.backends, 4, 10_000);
  assert.match((await readOrUndefined(paths.map)) ?? "", /^news\.dev\.tld blog$/m, "the alias is kept");
  assert.equal(again.count("guard.hold"), 0);
});

test("a restart during an outage keeps the routes on disk: the empty answer is held, not written", async (t) => {
  const { server, paths, start } = await setup(t, tree(4), LONG_CONFIRM_SECONDS);
  const first = start();
  await servers(paths.backends, 4, 10_000);
  assert.deepEqual(await first.stop({ timeoutMs: 5000 }), { code: 0, signal: null });
  const before = await readFileStates([paths.backends, paths.map]);
  server.setTree(tree(4, { health: "unhealthy" }));
  const second = start();
  const hold = await second.waitForEvent("guard.hold", { timeoutMs: 10_000 });
  assert.equal(hold["applied"], 4, "the baseline is the backends file on disk");
  await assertUnchanged(before, "first cycle after the restart");
  server.setTree(tree(4));
  assert.equal((await second.waitForEvent("guard.release", { timeoutMs: 10_000 }))["outcome"], "recovered");
  await assertUnchanged(before, "after the outage");
});

test("a restart while the aliases answer 404 keeps the aliases of the map on disk", async (t) => {
  const { server, paths, start } = await setup(
    t,
    tree(2, { blog: 2, aliases: ALIASES }),
    LONG_CONFIRM_SECONDS,
  );
  const first = start();
  await aliasLines(paths.map);
  assert.deepEqual(await first.stop({ timeoutMs: 5000 }), { code: 0, signal: null });
  const before = await readFileStates([paths.backends, paths.map]);
  server.setTree(tree(2, { blog: 2 }));
  const second = start();
  const hold = await second.waitForEvent("guard.hold", { timeoutMs: 10_000 });
  assert.deepEqual([hold["removed"], hold["aliasesApplied"], hold["aliasesRemoved"]], [0, 3, 3]);
  await assertUnchanged(before, "first cycle after the restart");
  server.setTree(tree(2, { blog: 2, aliases: ALIASES }));
  assert.equal((await second.waitForEvent("guard.release", { timeoutMs: 10_000 }))["outcome"], "recovered");
  await assertUnchanged(before, "after the flap");
});

test("--removal-confirm-seconds 0 turns the guard off: 4 -> 0 is written at once", async (t) => {
  const server = await startMetadataServer({ tree: tree(4), longPollTickMs: 100 });
  t.after(() => server.close());
  const dir = await tempDir(t);
  const paths = outputPaths(dir);
  const gen = startGenerator(t, { hostPort: server.hostPort, dir, interval: 30, confirmSeconds: 0 });
  await servers(paths.backends, 4, 10_000);
  await settled(server);
  server.setTree(tree(0));
  await servers(paths.backends, 0, 2000);
  assert.equal(gen.count("guard.hold"), 0);
});
