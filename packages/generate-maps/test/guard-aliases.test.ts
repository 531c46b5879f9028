// The removal guard and the aliases, which metadata answers on their own path: an answer that drops the
// aliases of stacks still routed (a 404 reads as "no aliases") is held like a mass removal of servers;
// aliases that go with their stack, or move to another one, are not counted; after a restart the aliases
// of the map on disk are the baseline.
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  buildRoutingTable,
  checkRemovals,
  decideRemovalHold,
  countAliasRemoval,
  GUARD_BASELINE_MAX_BYTES,
  createRemovalGuard,
  noteWritten,
  parseMapAliases,
  renderFiles,
  routedAliases,
  type FileOutcome,
  type RoutingTable,
} from "../src/index.js";
import { captureLogger, clockAt, container, MODEL_OPTIONS, runInSmallHeap, tempDir } from "./helpers.js";

// One container per stack (the same one in every table), and the aliases answer.
const CONTAINERS = new Map(["shop", "blog"].map((stack) => [stack, container({ stack_name: stack })]));
function table(stacks: readonly string[], aliases: Record<string, string[]>): RoutingTable {
  const containers = stacks.map((stack) => CONTAINERS.get(stack));
  return buildRoutingTable({ containers, aliases }, MODEL_OPTIONS);
}

// Paths where no file is: the guard's baseline comes from what this process writes.
const absentFiles = (dir: string) => ({
  backendsPath: join(dir, "absent.cfg"),
  domainMapPath: join(dir, "absent.map"),
  domain: "dev.tld",
});

const BEFORE = table(["shop", "blog"], { shop: ["www", "store"], blog: ["news"] });

interface Case {
  name: string;
  candidate: RoutingTable;
  expect: { applied: number; removed: number };
}

const CASES: Case[] = [
  { name: "the same aliases", candidate: BEFORE, expect: { applied: 3, removed: 0 } },
  {
    name: "the aliases answer flaps to none while both stacks run",
    candidate: table(["shop", "blog"], {}),
    expect: { applied: 3, removed: 3 },
  },
  {
    name: "one alias of three dropped",
    candidate: table(["shop", "blog"], { shop: ["www"], blog: ["news"] }),
    expect: { applied: 3, removed: 1 },
  },
  {
    name: "stack shop gone with its aliases: only blog's alias is counted, and it stays",
    candidate: table(["blog"], { blog: ["news"] }),
    expect: { applied: 1, removed: 0 },
  },
  {
    name: "an alias moved from shop to blog is no removal",
    candidate: table(["shop", "blog"], { shop: ["www"], blog: ["news", "store"] }),
    expect: { applied: 3, removed: 0 },
  },
];

test("countAliasRemoval: only aliases dropped while their stack is still routed count", () => {
  assert.deepEqual([...routedAliases(BEFORE)].sort(), [
    ["news.dev.tld", "blog"],
    ["store.dev.tld", "shop"],
    ["www.dev.tld", "shop"],
  ]);
  for (const c of CASES) {
    const count = countAliasRemoval(routedAliases(BEFORE), c.candidate);
    assert.deepEqual([count.applied, count.removed], [c.expect.applied, c.expect.removed], c.name);
  }
  assert.deepEqual(countAliasRemoval(null, table(["shop"], {})), { applied: 0, removed: 0, share: 0 });
});

const written = (status: "unchanged" | "failed"): FileOutcome[] =>
  ["backends.cfg", "domain.map"].map((path): FileOutcome =>
    status === "failed" ? { path, status, error: new Error("disk full") } : { path, status },
  );

test("the guard holds an answer that drops every alias, from the first map this process wrote on", async (t) => {
  const { logger, lines } = captureLogger();
  const dir = await tempDir(t);
  const files = absentFiles(dir);
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  const flap = table(["shop", "blog"], {});

  // No map on disk and none written yet: nothing to protect.
  assert.equal((await checkRemovals(guard, flap, files, logger, clockAt(0))).action, "apply");
  assert.equal((await checkRemovals(guard, BEFORE, files, logger, clockAt(1))).action, "apply");
  noteWritten(guard, BEFORE, written("failed"));
  assert.equal(
    (await checkRemovals(guard, flap, files, logger, clockAt(2))).action,
    "apply",
    "map not written",
  );

  noteWritten(guard, BEFORE, written("unchanged"));
  const hold = await checkRemovals(guard, flap, files, logger, clockAt(3));
  assert.equal(hold.action, "hold");
  assert.deepEqual(hold.removal, { applied: 2, removed: 0, share: 0 }, "no server is removed");
  assert.match(
    hold.action === "hold" ? hold.reason : "",
    /would remove 3 of 3 aliases of stacks still routed at once \(100 %, more than 50 %\)/,
  );
  const logged = lines().find((line) => line["event"] === "guard.hold");
  assert.deepEqual([logged?.["aliasesApplied"], logged?.["aliasesRemoved"]], [3, 3]);

  // The aliases came back before the window ended: released as recovered, and nothing else is held.
  const back = await checkRemovals(guard, BEFORE, files, logger, clockAt(4));
  assert.equal(back.action === "apply" ? back.release?.outcome : back.action, "recovered");
  const shopGone = await checkRemovals(guard, table(["blog"], { blog: ["news"] }), files, logger, clockAt(5));
  assert.equal(shopGone.action, "apply", "aliases that go with their stack are the servers' count");
});

test("one alias removed is an edit, applied at once; two or more over the share are held", () => {
  const decide = (applied: number, removed: number) =>
    decideRemovalHold({
      applied: null,
      candidate: new Set(),
      aliases: { applied, removed, share: removed / applied },
      fingerprint: "f",
      pending: null,
      now: 0,
      wallNow: 0,
      settings: { maxRemovalShare: 0.5, confirmMs: 30_000 },
    }).action;
  assert.deepEqual(
    [decide(1, 1), decide(2, 1), decide(2, 2), decide(3, 2), decide(4, 2), decide(10, 6)],
    ["apply", "apply", "hold", "hold", "apply", "hold"],
  );
});

test("parseMapAliases reads back from a written map the aliases routedAliases gives, under the domain only", () => {
  const path = (stack: string, service: string, prefix: string) =>
    container({
      stack_name: stack,
      service_name: service,
      labels: { "map-public-http": "80", "map-public-http.path": prefix },
    });
  const hosts = container({
    stack_name: "blog",
    labels: { "map-public-http": "80", "map-public-http.hosts": "blog.example.com" },
  });
  const input = {
    containers: [
      CONTAINERS.get("shop"),
      path("api", "users", "/users"),
      path("api", "orders", "/orders"),
      hosts,
    ],
    aliases: { shop: ["www", "store"], api: ["gateway"], blog: ["news"] },
  };
  const routed = buildRoutingTable(input, MODEL_OPTIONS);
  const map = renderFiles(routed, { backendsPath: "b", domainMapPath: "m" }).map.content;
  assert.match(map, /^gateway\.dev\.tld\/users api\.users$/m, "an alias with a path is in the map");
  assert.match(map, /^api\.dev\.tld\/users api\.users$/m, "and the stack's own name with it");
  const expected = [...routedAliases(routed)].sort();
  assert.equal(expected.length, 5, "www, store, news, and gateway with each path");
  assert.deepEqual([...parseMapAliases(map, "dev.tld")].sort(), expected);
  assert.deepEqual([...parseMapAliases(map, "other.tld")], [], "written under another domain: none");
  assert.deepEqual(
    [...parseMapAliases("# x y\nwww.dev.tld\n a.dev.tld b c\n*.dev.tld shop\n", "dev.tld")],
    [],
  );
});

// The files a generator left on disk for BEFORE (each after `padding`), as the guard finds them at a start.
async function filesOnDisk(t: TestContext, padding = "") {
  const dir = await tempDir(t);
  const files = {
    backendsPath: join(dir, "backends.cfg"),
    domainMapPath: join(dir, "domain.map"),
    domain: "dev.tld",
  };
  const rendered = renderFiles(BEFORE, files);
  await writeFile(files.backendsPath, padding + rendered.backends.content);
  await writeFile(files.domainMapPath, padding + rendered.map.content);
  return files;
}

test("after a restart the aliases of the map on disk are guarded from the first cycle", async (t) => {
  const files = await filesOnDisk(t);
  const { logger } = captureLogger();
  const settings = { maxRemovalShare: 0.5, confirmMs: 30_000 };
  const flap = table(["shop", "blog"], {});
  const hold = await checkRemovals(createRemovalGuard(settings), flap, files, logger, clockAt(0));
  assert.equal(hold.action, "hold");
  assert.deepEqual(hold.aliases, { applied: 3, removed: 3, share: 1 });
  const moved = { ...files, domain: "new.tld" };
  const domainChanged = await checkRemovals(createRemovalGuard(settings), flap, moved, logger, clockAt(0));
  assert.equal(domainChanged.action, "apply", "a map under the old domain holds no aliases of this one");
  const same = await checkRemovals(createRemovalGuard(settings), BEFORE, files, logger, clockAt(0));
  assert.deepEqual([same.action, same.aliases], ["apply", { applied: 3, removed: 0, share: 0 }]);
});

test("after a restart with STACK_DOMAIN changed to a parent of the old one, the old map holds no aliases", async (t) => {
  const files = await filesOnDisk(t);
  const { logger } = captureLogger();
  const settings = { maxRemovalShare: 0.5, confirmMs: 30_000 };
  // written under dev.tld: `shop.dev.tld shop` is `shop.dev` under tld, but no alias (no `shop.tld` key)
  const moved = { ...files, domain: "tld" };
  assert.deepEqual([...parseMapAliases(renderFiles(BEFORE, files).map.content, "tld")], []);
  const under = (domain: string) => ({ ...MODEL_OPTIONS, domain });
  const containers = ["shop", "blog"].map((stack) => CONTAINERS.get(stack));
  const aliases = { shop: ["www", "store"], blog: ["news"] };
  const after = buildRoutingTable({ containers, aliases }, under("tld"));
  const decision = await checkRemovals(createRemovalGuard(settings), after, moved, logger, clockAt(0));
  assert.deepEqual([decision.action, decision.aliases], ["apply", { applied: 0, removed: 0, share: 0 }]);
});

test("parseMapAliases counts a dotted alias (aliases are DNS names), not the stack's own name", () => {
  const routed = table(["shop"], { shop: ["www.shop", "news"] });
  const map = renderFiles(routed, { backendsPath: "b", domainMapPath: "m" }).map.content;
  assert.deepEqual([...parseMapAliases(map, "dev.tld")].sort(), [...routedAliases(routed)].sort());
  assert.deepEqual([...parseMapAliases(map, "dev.tld").keys()].sort(), ["news.dev.tld", "www.shop.dev.tld"]);
});

test("the guard's baseline parsers walk a file line by line: 32 MiB of empty lines in a 128 MiB heap", () => {
  // Split whole, such a file (from the untrusted volume, at start) was an array of 33 million strings.
  const run = runInSmallHeap(`
    const text = "\\n".repeat(32 * 1024 * 1024) + "backend shop\\n    server web-1 127.0.0.1:80\\nshop.dev.tld shop\\nwww.dev.tld shop\\n";
    const servers = [...src.parseServerKeys(text)];
    const aliases = [...src.parseMapAliases(text, "dev.tld")];
    process.stdout.write(JSON.stringify({ servers, aliases }));`);
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  assert.deepEqual(JSON.parse(run.stdout), { servers: ["shop/web-1"], aliases: [["www.dev.tld", "shop"]] });
});

test("parseMapAliases looks at the first words of a line only: one line of 32 MiB of words in a 128 MiB heap", () => {
  // Split whole, the line was an array of 16 million one-letter strings: ≈ 440 MB of heap, a fatal
  // out-of-memory error at start for a generator with a heap of 256 or 512 MB (found by a review).
  const run = runInSmallHeap(`
    const text = "shop.dev.tld shop\\nwww.dev.tld shop\\n" + "a ".repeat(16 * 1024 * 1024) + "\\nnews.dev.tld blog\\nblog.dev.tld blog\\n";
    const aliases = [...src.parseMapAliases(text, "dev.tld")];
    process.stdout.write(JSON.stringify({ aliases }));`);
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  assert.deepEqual(JSON.parse(run.stdout), {
    aliases: [
      ["www.dev.tld", "shop"],
      ["news.dev.tld", "blog"],
    ],
  });
});

test("a file on disk over the guard's baseline cap is not read: logged as guard.baseline-unread, nothing held", async (t) => {
  const files = await filesOnDisk(t, "#".repeat(GUARD_BASELINE_MAX_BYTES) + "\n");
  const { logger, lines } = captureLogger();
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  const decision = await checkRemovals(guard, table([], {}), files, logger, clockAt(0));
  assert.equal(decision.action, "apply", "no baseline: nothing to protect");
  assert.equal(guard.applied, null);
  assert.equal(guard.appliedAliases, null);
  const unread = lines().filter((line) => line["event"] === "guard.baseline-unread");
  assert.deepEqual(
    unread.map((line) => line["path"]).sort(),
    [files.backendsPath, files.domainMapPath].sort(),
  );
  assert.match(String(unread[0]?.["reason"]), /more than the 33554432-byte cap/);
});

test("a map on disk that cannot be read (not missing) is logged as guard.baseline-unread, not taken for no map", async (t) => {
  const dir = await tempDir(t);
  // ENAMETOOLONG: an error of the read itself, as EACCES or EIO would be (the tests run as root)
  const files = { ...(await filesOnDisk(t)), domainMapPath: join(dir, "x".repeat(300), "domain.map") };
  const { logger, lines } = captureLogger();
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  await checkRemovals(guard, table([], {}), files, logger, clockAt(0));
  const unread = lines().filter((line) => line["event"] === "guard.baseline-unread");
  assert.deepEqual(
    unread.map((line) => line["path"]),
    [files.domainMapPath],
  );
  assert.match(String(unread[0]?.["reason"]), /cannot be read \(ENAMETOOLONG\)/);
  assert.equal(guard.appliedAliases, null);
});

test("a confirmed removal whose write fails is released again at the next cycle, not held for a new window", async (t) => {
  const { logger } = captureLogger();
  const dir = await tempDir(t);
  const files = absentFiles(dir);
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  const four = buildRoutingTable(
    { containers: Array.from({ length: 4 }, () => container({ stack_name: "shop" })), aliases: {} },
    MODEL_OPTIONS,
  );
  const none = buildRoutingTable({ containers: [], aliases: {} }, MODEL_OPTIONS);
  assert.equal((await checkRemovals(guard, four, files, logger, clockAt(0))).action, "apply");
  noteWritten(guard, four, written("unchanged"));
  assert.equal((await checkRemovals(guard, none, files, logger, clockAt(1))).action, "hold");
  const released = await checkRemovals(guard, none, files, logger, clockAt(30_001));
  assert.equal(released.action === "apply" ? released.release?.outcome : "hold", "confirmed");
  noteWritten(guard, none, written("failed")); // a full disk, a read-only remount
  const again = await checkRemovals(guard, none, files, logger, clockAt(30_501));
  assert.equal(
    again.action === "apply" ? again.release?.outcome : "hold",
    "confirmed",
    "released again at once",
  );
  noteWritten(guard, none, written("unchanged"));
  assert.equal(guard.pending, null, "forgotten once the files hold it");
  // A later removal is a new one: held for its own window.
  noteWritten(guard, four, written("unchanged"));
  assert.equal((await checkRemovals(guard, none, files, logger, clockAt(40_000))).action, "hold");
});

// A guard (share 0.5, window 30 s) on paths where no file is, noting each applied table as written.
async function steppingGuard(t: TestContext) {
  const files = absentFiles(await tempDir(t));
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  const { logger } = captureLogger();
  const written: FileOutcome[] = ["backends.cfg", "domain.map"].map((path) => ({
    path,
    status: "unchanged",
  }));
  return async (candidate: RoutingTable, ms: number) => {
    const decision = await checkRemovals(guard, candidate, files, logger, clockAt(ms));
    if (decision.action === "apply") noteWritten(guard, candidate, written);
    return decision;
  };
}
const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

test("alias removals in steps add up over the window: 10 → 5 → 3 is held at the second step", async (t) => {
  const cycle = await steppingGuard(t);
  const all = names("a", 10);
  assert.equal((await cycle(table(["shop"], { shop: all }), 0)).action, "apply");
  assert.equal((await cycle(table(["shop"], { shop: all.slice(0, 5) }), 600)).action, "apply", "5 of 10");
  const three = table(["shop"], { shop: all.slice(0, 3) });
  const held = await cycle(three, 1200);
  assert.equal(held.action, "hold", "2 more: 7 of the 10 the window began with");
  assert.deepEqual(held.action === "hold" ? [held.aliases.removed, held.aliases.applied] : [], [7, 10]);
  assert.match(held.action === "hold" ? held.reason : "", /7 of 10 aliases of stacks still routed/);
  const confirmed = await cycle(three, 31_300);
  assert.equal(confirmed.action === "apply" ? confirmed.release?.outcome : "hold", "confirmed");
  // The released answer is the new window's start: one more alias dropped is an edit again.
  assert.equal((await cycle(table(["shop"], { shop: all.slice(0, 2) }), 31_900)).action, "apply");
});

test("aliases renamed in two steps (new ones added, then the old ones dropped) are not held", async (t) => {
  const cycle = await steppingGuard(t);
  const old = names("old", 10);
  const renamed = names("new", 10);
  assert.equal((await cycle(table(["shop"], { shop: old }), 0)).action, "apply");
  assert.equal((await cycle(table(["shop"], { shop: [...old, ...renamed] }), 600)).action, "apply");
  const after = await cycle(table(["shop"], { shop: renamed }), 1200);
  assert.equal(after.action, "apply", "10 of the 20 mapped during the window: within the share");
});

test("alias removals one window apart are not held (the window moves on)", async (t) => {
  const cycle = await steppingGuard(t);
  const all = names("a", 10);
  assert.equal((await cycle(table(["shop"], { shop: all }), 0)).action, "apply");
  assert.equal((await cycle(table(["shop"], { shop: all.slice(0, 5) }), 600)).action, "apply");
  assert.equal((await cycle(table(["shop"], { shop: all.slice(0, 3) }), 31_000)).action, "apply", "2 of 5");
});

test("alias removals that straddle the end of a window (10 → 5 just before it, 5 → 3 just after) are held", async (t) => {
  const cycle = await steppingGuard(t);
  const all = names("a", 10);
  assert.equal((await cycle(table(["shop"], { shop: all }), 0)).action, "apply");
  // The window begins with the 10 written (the first cycle had no files to protect).
  assert.equal((await cycle(table(["shop"], { shop: all }), 1000)).action, "apply");
  assert.equal((await cycle(table(["shop"], { shop: all.slice(0, 5) }), 30_500)).action, "apply", "5 of 10");
  const held = await cycle(table(["shop"], { shop: all.slice(0, 3) }), 31_500);
  assert.equal(held.action, "hold", "7 of the 10 mapped a second before");
  assert.deepEqual(held.action === "hold" ? [held.aliases.removed, held.aliases.applied] : [], [7, 10]);
});

test("after a restart, hosts claims under the domain read back as aliases leave the window once a map is written", async (t) => {
  // shop's `hosts` label claims four names under the domain: read back from the map at start, they look
  // like aliases (parseMapAliases cannot tell them apart). Before, dropping three of them from the label
  // 5 s after a restart was held for the whole window as "3 of 4 aliases of stacks still routed".
  const shop = (hosts: string) =>
    buildRoutingTable(
      {
        containers: [
          container({
            stack_name: "shop",
            labels: { "map-public-http": "80", "map-public-http.hosts": hosts },
          }),
        ],
        aliases: {},
      },
      MODEL_OPTIONS,
    );
  const before = shop("api.dev.tld,admin.dev.tld,cdn.dev.tld,img.dev.tld");
  const dir = await tempDir(t);
  const files = { backendsPath: join(dir, "b.cfg"), domainMapPath: join(dir, "d.map"), domain: "dev.tld" };
  const rendered = renderFiles(before, files);
  await writeFile(files.backendsPath, rendered.backends.content);
  await writeFile(files.domainMapPath, rendered.map.content);
  const guard = createRemovalGuard({ maxRemovalShare: 0.5, confirmMs: 30_000 });
  const { logger } = captureLogger();
  const written: FileOutcome[] = [files.backendsPath, files.domainMapPath].map((path) => ({
    path,
    status: "unchanged",
  }));
  const first = await checkRemovals(guard, before, files, logger, clockAt(0));
  assert.equal(first.action, "apply");
  noteWritten(guard, before, written);
  const edited = await checkRemovals(guard, shop("api.dev.tld"), files, logger, clockAt(5000));
  assert.equal(edited.action, "apply", "a label edit, not a mass removal of aliases");
});

test("after a blue/green switch of the aliases within the window, they are counted at the stack they moved to", async (t) => {
  // Found by a review: the window judged each alias by the backend it had when the window began. Once
  // the old stack (blue) was gone, the aliases moved from it to green counted neither as routed nor as
  // removed, so green's aliases dropped in steps went through unheld, and the share of another stack's
  // aliases was taken of those alone.
  const stacks = new Map(["blue", "green", "blog"].map((stack) => [stack, container({ stack_name: stack })]));
  const tableOf = (names: readonly string[], aliases: Record<string, string[]>) =>
    buildRoutingTable({ containers: names.map((name) => stacks.get(name)), aliases }, MODEL_OPTIONS);
  const site = names("s", 6);

  const stepped = await steppingGuard(t);
  assert.equal((await stepped(tableOf(["blue", "green", "blog"], { blue: site }), 0)).action, "apply");
  assert.equal((await stepped(tableOf(["blue", "green", "blog"], { green: site }), 500)).action, "apply");
  assert.equal((await stepped(tableOf(["green", "blog"], { green: site }), 1000)).action, "apply");
  const steps = [5, 4, 3, 2, 1, 0].map((left) => ({ left, ms: 1500 + (6 - left) * 500 }));
  const actions = [];
  for (const { left, ms } of steps)
    actions.push((await stepped(tableOf(["green", "blog"], { green: site.slice(0, left) }), ms)).action);
  assert.deepEqual(actions.slice(0, 3), ["apply", "apply", "apply"], "3 of 6: within the share");
  assert.equal(actions[3], "hold", "4 of the 6 green maps: held, as without the switch");

  const edited = await steppingGuard(t);
  const both = { blog: ["news", "feed"] };
  assert.equal(
    (await edited(tableOf(["blue", "green", "blog"], { ...both, blue: site }), 0)).action,
    "apply",
  );
  assert.equal(
    (await edited(tableOf(["blue", "green", "blog"], { ...both, green: site }), 500)).action,
    "apply",
  );
  assert.equal((await edited(tableOf(["green", "blog"], { ...both, green: site }), 1000)).action, "apply");
  const dropped = await edited(tableOf(["green", "blog"], { green: site }), 1500);
  assert.equal(dropped.action, "apply", "2 of the 8 aliases mapped: within the share");
});
