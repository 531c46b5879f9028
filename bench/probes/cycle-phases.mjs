// Issue 12's per-stage split of a one-shot cycle: runs the built generator's own stages, as `generate-maps
// --once` does (the launcher's V8 flags, cli.ts' options, logger and client), in one fresh process, and
// stops after the stage named by argv[2], so that counting a process per stage (callgrind) gives each
// stage's cost in a cold process: first-run interpretation and compilation included, as --once pays them.
// Stages, each including those before it: start (options, logger, client, every module the cycle loads,
// the start line; nothing fetched), read (the snapshot read and every /containers entry parsed), select
// (the containers selected), group (grouped into HTTP and TCP backends), table (the whole routing table),
// render (both files), write (stale temps cleaned, both files written), report (the skip lines), cycle
// (runCycle itself: what --once runs). The read split further (stages read:<part>, each including the parts
// before it, none of them readMetadata's own code): bytes (the version, then the /containers body read as
// the client reads it, node-fetch and readCapped, beside the aliases and environment GETs), find
// (findCompactEntries), entries (JsonArrayEntries made: the isAscii check), decode (each entry's text,
// no parse), parse (each entry's text parsed, in a plain loop), walk (the entries' own iterator, as the
// model walks them, and failure()). The environment is generate-maps' (RANCHER_API_HOST a loopback
// stand-in's, never the default); see bench/README.md "Measured on 2026-12-05 15:40–16:20" and
// "Measured on 2026-12-05 16:30–16:50".
import { setImmediate } from "node:timers";
import { setFlagsFromString } from "node:v8";
import { ignoreSignals } from "@rancher-haproxy/core/signals";

const STAGES = ["start", "read", "select", "group", "table", "render", "write", "report", "cycle"];
const READ_PARTS = ["bytes", "find", "entries", "decode", "parse", "walk"];
const part = (process.argv[2] ?? "").startsWith("read:") ? READ_PARTS.indexOf(process.argv[2].slice(5)) : -1;
const stop = part >= 0 ? 0 : STAGES.indexOf(process.argv[2] ?? "");
if (stop < 0)
  throw new Error(
    `usage: cycle-phases.mjs <${[...STAGES, ...READ_PARTS.map((p) => `read:${p}`)].join("|")}>`,
  );
const reached = (stage) => stop >= STAGES.indexOf(stage);

// As bin/generate-maps.js does for --once.
ignoreSignals();
setFlagsFromString("--semi-space-growth-factor=1");
if (process.versions.v8.startsWith("11.")) setFlagsFromString("--interrupt-budget=1000000");

const dist = new URL("../../packages/generate-maps/dist/", import.meta.url);
const load = (path) => import(new URL(path, dist).href);
// As cli.ts does, and every module the cycle uses loaded up front whatever the stage, so that loading
// is counted in "start" only.
const { parseOptions } = await load("options/parse-options.js");
const { createLogger } = await import("@rancher-haproxy/core/log");
const { createMetadataClient } = await import("@rancher-haproxy/core/metadata");
const { createCycleState, runCycle } = await load("cycle/run-cycle.js");
const { readMetadata, snapshotReadError } = await load("sources/read-metadata.js");
const { carryAliases } = await load("cycle/carry-aliases.js");
const { runSteps } = await load("model/run-steps.js");
const { selectContainerSteps } = await load("model/select-containers.js");
const { groupBackendSteps } = await load("model/group-backends.js");
const { groupTcpBackends } = await load("model/group-tcp-backends.js");
const { NoteBudget } = await load("model/note-budget.js");
const { routingTableSteps } = await load("model/build-routing-table.js");
const { renderFiles } = await load("render/render-files.js");
const { cleanStaleTemps } = await load("output/clean-stale-temps.js");
const { writeOutputs } = await load("output/write-outputs.js");
const { METADATA_PATHS } = await load("sources/read-metadata.js");
const { findCompactEntries, JsonArrayEntries, isNotFound } = await import("@rancher-haproxy/core/metadata");
const core = new URL("../../packages/core/dist/", import.meta.url);
const { readCapped } = await import(new URL("metadata/read-capped.js", core).href);

const parsed = await parseOptions(["--once"], process.env);
if (parsed.kind !== "run") throw new Error("expected options");
const { options } = parsed;
const logger = createLogger({
  name: "generate-maps",
  level: options.logLevel,
  format: options.logFormat ?? (process.stdout.isTTY ? "pretty" : "json"),
});
const client = createMetadataClient({
  apiHost: options.apiHost,
  apiVersion: options.apiVersion,
  timeoutMs: options.requestTimeoutMs,
  maxAnswerBytes: options.metadataMaxBytes,
});
logger.info({ event: "start", mode: "once" }, `generate-maps starting (once) against ${client.baseUrl}`);
const state = createCycleState(logger);

let summary = "started";
if (part >= 0) summary = await readParts(part);
else if (reached("cycle")) {
  const result = await runCycle({ options, client, logger }, state, { write: true });
  summary = `cycle ok=${result.ok}`;
} else if (reached("read")) {
  // run-cycle.ts' cycle() up to the stage asked for (a one-shot run: no signal, no guard, no pauses).
  const read = await readMetadata(client, undefined, undefined, null, false);
  const snapshot = carryAliases(state.aliases, read, logger);
  let table = null;
  if (reached("table")) table = runSteps(routingTableSteps(snapshot, options));
  else if (reached("select")) {
    const selection = runSteps(selectContainerSteps(snapshot.containers, options, snapshot.environment));
    summary = `${selection.candidates.length} candidates`;
    if (reached("group")) {
      const budget = new NoteBudget();
      const grouping = runSteps(groupBackendSteps(selection.candidates, budget, selection.pathHolds));
      const tcp = groupTcpBackends(selection.tcpCandidates, budget, selection.tcpClaims, options.tcpLabel);
      summary = `${grouping.backends.length + tcp.backends.length} backends`;
    }
  } else {
    let entries = 0;
    for (const entry of snapshot.containers) if (entry !== undefined) entries++;
    summary = `${entries} entries`;
  }
  const failure = snapshotReadError(snapshot);
  if (failure !== null) throw failure;
  if (table !== null) {
    summary = `${table.counts.hosts} hosts`;
    if (reached("render")) {
      const files = renderFiles(table, options);
      summary = `${files.map.content.length + files.backends.content.length} bytes`;
      if (reached("write")) {
        await cleanStaleTemps(files, logger);
        const outcomes = await writeOutputs(files);
        summary = outcomes.map((outcome) => outcome.status).join(" ");
      }
      if (reached("report")) state.skips.report(table);
    }
  }
}
process.stderr.write(`cycle-phases: ${process.argv[2]}: ${summary}\n`);

// The read up to READ_PARTS[last], by core's own pieces in the order the client and readMetadata run them.
async function readParts(last) {
  // node-fetch is loaded at the first request, as the client does.
  const { default: fetch } = await import("node-fetch");
  const url = `${client.baseUrl}/${METADATA_PATHS.containers}`;
  // As the client's get(): a timer renewed by each piece of the body, node-fetch, readCapped.
  const containerBytes = async () => {
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(), options.requestTimeoutMs);
    const progressed = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), options.requestTimeoutMs);
    };
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        signal: controller.signal,
        redirect: "error",
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return await readCapped(response.body, options.metadataMaxBytes, progressed);
    } finally {
      clearTimeout(timer);
    }
  };
  await client.getJson(METADATA_PATHS.version);
  const [pieces, aliases] = await Promise.all([
    containerBytes(),
    client
      .getJson(METADATA_PATHS.aliases)
      .catch((error) => (isNotFound(error) ? null : Promise.reject(error))),
    client.getJson(METADATA_PATHS.environment).catch(() => null),
  ]);
  if (aliases === null) await client.getJson(METADATA_PATHS.selfService).catch(() => null);
  let summary = `${pieces.length} pieces`;
  if (last < READ_PARTS.indexOf("find")) return summary;
  const compact = findCompactEntries(pieces);
  if (compact === null) throw new Error("expected a compact list of objects");
  summary = `${compact.count} entries found`;
  if (last < READ_PARTS.indexOf("entries")) return summary;
  const entries = new JsonArrayEntries(pieces, compact, url, "tentative");
  if (last < READ_PARTS.indexOf("decode")) return summary;
  if (last < READ_PARTS.indexOf("walk")) {
    // The entries' private text(), as parse() calls it, without the iterator.
    const parse = last >= READ_PARTS.indexOf("parse");
    let [characters, objects] = [0, 0];
    for (let index = 0; index < compact.count; index++) {
      const from = index === 0 ? compact.first : compact.ends[index - 1] + 1;
      const text = entries.text(from, compact.ends[index]);
      characters += text.length;
      if (parse && typeof JSON.parse(text) === "object") objects++;
    }
    return parse ? `${objects} entries parsed` : `${characters} characters decoded`;
  }
  let count = 0;
  for (const entry of entries) if (entry !== undefined) count++;
  if (entries.failure() !== null) throw entries.failure();
  return `${count} entries walked`;
}
// As cli.ts: a few turns for the log's last lines, then exit.
for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
process.exit(0);
