// Explain of containers whose names are over 200 characters, which the model holds cut (containerRef:
// clipForNote, to bound memory on hostile metadata): the whole name finds them, as --explain and as
// /explain of the real generator against the stand-in, and twins whose cut names are the same are both
// listed for a name, as containers of one name are.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import {
  buildTree,
  readStatusJson,
  spawnGenerateMaps,
  startMetadataServer,
  type MetadataServer,
} from "@rancher-haproxy/test-support";
import type { ContainerExplanation, Explanation } from "../src/index.js";
import { runExplain, tempDir } from "./helpers.js";

// 200 characters two twins share; their names differ after it, at the same length (so their cut names,
// which count the characters left, are the same).
const PREFIX = `twin-${"x".repeat(195)}`;
const ALPHA = `${PREFIX}-alpha`;
const BRAVO = `${PREFIX}-bravo`;
// the same 200 characters, another length: another cut name
const SHORTER = `${PREFIX}-c`;
// the 200th code unit begins an emoji: the cut keeps 199 units and counts the pair among those left
const EMOJI = `${"e".repeat(199)}\u{1F600}-emoji`;

const UUID = {
  alpha: "a1000000-0000-4000-8000-000000000001",
  bravo: "b2000000-0000-4000-8000-000000000002",
  shorter: "c3000000-0000-4000-8000-000000000003",
  emoji: "d4000000-0000-4000-8000-000000000004",
};

// One routed container per stack, each with an option label that falls back to its default (a note).
function longNamesTree() {
  const stack = (name: string, container: string, uuid: string, balance: string) => ({
    name,
    services: [
      {
        name: "web",
        port: 80,
        containers: [{ name: container, uuid, labels: { "map-public-http.balance": balance } }],
      },
    ],
  });
  return buildTree({
    stacks: [
      stack("alpha", ALPHA, UUID.alpha, "bogus-alpha"),
      stack("bravo", BRAVO, UUID.bravo, "bogus-bravo"),
      stack("charlie", SHORTER, UUID.shorter, "bogus-charlie"),
      stack("delta", EMOJI, UUID.emoji, "bogus-delta"),
    ],
  });
}

async function standIn(t: TestContext, tree = longNamesTree()): Promise<MetadataServer> {
  const server = await startMetadataServer({ tree });
  t.after(() => server.close());
  return server;
}

// The real loop with an ephemeral status port, after its first cycle: its status URL.
async function startGenerator(t: TestContext, server: MetadataServer): Promise<string> {
  const dir = await tempDir(t, "gm-long-names-");
  const child = spawnGenerateMaps({
    args: [
      ...["--api-host", server.hostPort, "--interval", "30"],
      ...["--domain-map", join(dir, "domain.map"), "--backends", join(dir, "backends.cfg")],
    ],
    env: { STACK_DOMAIN: "dev.tld", SYSLOG_HOST: "stdout", STATUS_PORT: "0" },
  });
  t.after(() => child.stop({ timeoutMs: 5000 }));
  const listening = await child.waitForEvent("status.listening", { timeoutMs: 15_000 });
  await child.waitForEvent("cycle", { timeoutMs: 15_000 });
  return String(listening["url"]);
}

// `generate-maps --explain <query> --json` against the stand-in: its exit code and parsed answer.
async function explainCli(
  t: TestContext,
  server: MetadataServer,
  query: string,
): Promise<{ code: number | null; answer: Explanation }> {
  const run = await runExplain(t, ["--api-host", server.hostPort, "--explain", query, "--json"]);
  assert.equal(run.stderr, "", "nothing on stderr");
  return { code: run.code, answer: JSON.parse(run.stdout) as Explanation };
}

const uuidsOf = (answer: Explanation) =>
  answer.matches.map((match) => (match as ContainerExplanation).uuid).sort();

test("a container named over 200 characters is found by its whole name, with its twin of the same cut name", async (t) => {
  // Until 2026-12-05 the whole name was "no container is named …" (exit 3, 404): the table holds it cut
  // at 200 characters, and only the uuid found it.
  const server = await standIn(t);
  const url = await startGenerator(t, server);
  const cases: [string, string[]][] = [
    [ALPHA, [UUID.alpha, UUID.bravo]],
    [BRAVO.toUpperCase(), [UUID.alpha, UUID.bravo]],
    [SHORTER, [UUID.shorter]],
    [EMOJI, [UUID.emoji]],
  ];
  for (const [query, uuids] of cases) {
    const cli = await explainCli(t, server, query);
    assert.equal(cli.code, 0, `--explain ${query.slice(-12)}`);
    assert.deepEqual(uuidsOf(cli.answer), uuids, `--explain ${query.slice(-12)}`);
    const http = await readStatusJson<Explanation>(url, `/explain?container=${encodeURIComponent(query)}`);
    assert.equal(http.status, 200, `/explain ${query.slice(-12)}`);
    assert.deepEqual(uuidsOf(http.json), uuids, `/explain ${query.slice(-12)}`);
    for (const match of http.json.matches) assert.equal((match as ContainerExplanation).status, "routed");
  }
  // the name as the answer gives it (cut) finds the twins as before; a name they do not have, nothing
  const cut = (await explainCli(t, server, ALPHA)).answer.matches[0] as ContainerExplanation;
  assert.equal(cut.container, `${PREFIX}… (6 more characters)`);
  assert.deepEqual(uuidsOf((await explainCli(t, server, cut.container)).answer), [UUID.alpha, UUID.bravo]);
  const other = await readStatusJson<Explanation>(url, `/explain?container=${PREFIX}-delta-x`);
  assert.equal(other.status, 404);
});

test("the answer for one of two twins of one cut name gives its own notes, not its twin's", async (t) => {
  // Until 2026-12-05 notes went to a container by its name, which the table holds cut: the answer for
  // alpha's uuid gave bravo's option-fallback note as well.
  const server = await standIn(t);
  const url = await startGenerator(t, server);
  const balanceNotes = (answer: Explanation) =>
    answer.notes.flatMap((note) => /map-public-http\.balance="(bogus-[a-z]+)"/.exec(note)?.[1] ?? []).sort();
  const cases: [string, string][] = [
    [UUID.alpha, "bogus-alpha"],
    [UUID.bravo.toUpperCase(), "bogus-bravo"],
  ];
  for (const [uuid, own] of cases) {
    const http = await readStatusJson<Explanation>(url, `/explain?container=${uuid}`);
    assert.equal(http.status, 200);
    assert.deepEqual(balanceNotes(http.json), [own], `/explain ${uuid}: ${http.json.notes.join("\n")}`);
    const cli = await explainCli(t, server, uuid);
    assert.equal(cli.code, 0);
    assert.deepEqual(balanceNotes(cli.answer), [own], `--explain ${uuid}`);
  }
  // a name both twins answer to gives the notes of both, and nobody else's
  const both = await readStatusJson<Explanation>(url, `/explain?container=${ALPHA}`);
  assert.deepEqual(balanceNotes(both.json), ["bogus-alpha", "bogus-bravo"]);
  // /routes lists every note as before, without the uuid explain tells them apart by
  const routes = await readStatusJson<{ notes: Record<string, unknown>[] }>(url, "/routes");
  assert.equal(routes.json.notes.length, 4);
  for (const note of routes.json.notes)
    assert.deepEqual(Object.keys(note), ["backend", "container", "code", "reason"]);
});

test("a cut name is found by its whole name in a case that lower-cases differently at the cut: Σ, İ", async (t) => {
  // Until 2026-12-05 the query was cut, then lower-cased with the cut name as a whole: a `σ` as the last
  // character kept became a final `ς` in upper case (`Σ` + `…`), and `İ` lower-cases to two units, so the
  // query in another case was cut at another letter; both answered 404 / exit 3 for the whole name.
  const sigma = `${"s".repeat(198)}xσ-tail`; // its 200th unit, the last one kept, is σ
  const dotted = `İ${"d".repeat(205)}`; // `İ` is one unit; lower-cased, `i` and a combining dot
  const tree = buildTree({
    stacks: [
      {
        name: "sigma",
        services: [{ name: "web", port: 80, containers: [{ name: sigma, uuid: UUID.alpha }] }],
      },
      {
        name: "dotted",
        services: [{ name: "web", port: 80, containers: [{ name: dotted, uuid: UUID.bravo }] }],
      },
    ],
  });
  const server = await standIn(t, tree);
  const url = await startGenerator(t, server);
  const cases: [string, string][] = [
    [sigma, UUID.alpha],
    [sigma.toUpperCase(), UUID.alpha],
    [dotted, UUID.bravo],
    [dotted.toLowerCase(), UUID.bravo],
  ];
  for (const [query, uuid] of cases) {
    const http = await readStatusJson<Explanation>(url, `/explain?container=${encodeURIComponent(query)}`);
    assert.equal(http.status, 200, `/explain ${query.slice(0, 3)}…${query.slice(-8)}`);
    assert.deepEqual(uuidsOf(http.json), [uuid], `/explain ${query.slice(0, 3)}…${query.slice(-8)}`);
    const cli = await explainCli(t, server, query);
    assert.equal(cli.code, 0, `--explain ${query.slice(0, 3)}…${query.slice(-8)}`);
    assert.deepEqual(uuidsOf(cli.answer), [uuid], `--explain ${query.slice(0, 3)}…${query.slice(-8)}`);
  }
  // still no prefix: the first 200 characters alone, or with a character more, are no container's name
  for (const query of [sigma.toUpperCase().slice(0, 200), `${sigma.toUpperCase()}X`])
    assert.equal((await readStatusJson(url, `/explain?container=${encodeURIComponent(query)}`)).status, 404);
});

test("a container's notes are not those of another container that metadata gives the same uuid", async (t) => {
  // Since 43e113c notes went by uuid alone: the answer for web-1 gave db-1's option-fallback note (another
  // stack, another name, the same uuid as web-1 in a hostile or broken answer); before, by name, it did not.
  const stack = (name: string, container: string, labels: Record<string, string>) => ({
    name,
    services: [{ name: "web", port: 80, containers: [{ name: container, uuid: UUID.alpha, labels }] }],
  });
  const tree = buildTree({
    stacks: [stack("one", "web-1", {}), stack("two", "db-1", { "map-public-http.balance": "bogus-two" })],
  });
  const server = await standIn(t, tree);
  const url = await startGenerator(t, server);
  const web = await readStatusJson<Explanation>(url, "/explain?container=web-1");
  assert.equal(web.status, 200);
  assert.deepEqual(uuidsOf(web.json), [UUID.alpha]);
  assert.deepEqual(web.json.notes, [], `web-1: ${web.json.notes.join("\n")}`);
  const cli = await explainCli(t, server, "web-1");
  assert.equal(cli.code, 0);
  assert.deepEqual(cli.answer.notes, []);
  // db-1 keeps its own note, and the uuid both answer to gives it too
  for (const query of ["db-1", UUID.alpha]) {
    const answer = await readStatusJson<Explanation>(url, `/explain?container=${query}`);
    assert.equal(answer.json.notes.filter((note) => note.includes("bogus-two")).length, 1, query);
  }
});
