// The recorded scenario (test-support/fixtures/rancher-metadata) as trees the stand-in can serve.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "../repo-root.js";
import { isMap } from "./render-text.js";
import type { Host, Tree } from "./types.js";

// The API versions the recording has whole trees for.
export const RECORDED_API_VERSIONS = ["2015-07-25", "2015-12-19", "2016-07-29"] as const;

// The recorded fixtures, shipped inside this package (packages/test-support/fixtures/rancher-metadata).
// Nothing is read from outside the repository.
export function findFixturesDir(): string {
  const dir = repoPath("packages", "test-support", "fixtures", "rancher-metadata");
  if (!existsSync(join(dir, "answers.json"))) throw new Error(`cannot find the recorded fixtures in ${dir}`);
  return dir;
}

// Reads one recorded fixture file as JSON.
export function readRecordedJson(file: string, fixturesDir = findFixturesDir()): unknown {
  return JSON.parse(readFileSync(join(fixturesDir, file), "utf8"));
}

// The recorded whole tree of an API version without `self`; its defaultHost is the host the real
// server gave a client IP that matches no container (the 10.99.99.99 recording).
export function loadRecordedTree(apiVersion = "2015-12-19", fixturesDir = findFixturesDir()): Tree {
  const whole = readRecordedJson(`${apiVersion}.json`, fixturesDir);
  if (!isMap(whole)) throw new Error(`${apiVersion}.json is not a JSON object`);
  const tree: Tree = { ...whole };
  delete tree["self"];
  restoreSelfToken(tree, whole["self"]);
  const defaultHost = recordedDefaultHost(fixturesDir, apiVersion);
  if (defaultHost !== undefined) tree.defaultHost = defaultHost;
  return tree;
}

// Every recorded tree by API version: what startMetadataServer's `trees` takes.
export function loadRecordedTrees(fixturesDir = findFixturesDir()): Record<string, Tree> {
  return Object.fromEntries(RECORDED_API_VERSIONS.map((api) => [api, loadRecordedTree(api, fixturesDir)]));
}

// The real server blanks service tokens except in self.service: put the recorded one back on the
// services it belongs to, so the stand-in (which blanks them again) can reveal it the same way.
function restoreSelfToken(tree: Tree, self: unknown): void {
  const own = isMap(self) ? self["service"] : undefined;
  if (!isMap(own) || own["token"] == null) return;
  const stacks = Array.isArray(tree.stacks) ? (tree.stacks as unknown[]) : [];
  const lists = [tree.services, ...stacks.map((s) => (isMap(s) ? s["services"] : null))];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const s of list)
      if (isMap(s) && s["uuid"] === own["uuid"] && s["name"] === own["name"]) s["token"] = own["token"];
  }
}

function recordedDefaultHost(fixturesDir: string, apiVersion: string): Host | undefined {
  const file = join(fixturesDir, "2015-12-19--xff-10.99.99.99.json");
  if (!existsSync(file)) return undefined;
  const whole = JSON.parse(readFileSync(file, "utf8")) as { self?: { host?: Host } };
  const host = whole.self?.host;
  if (host === undefined) return undefined;
  if (apiVersion < "2016-07-29") return host;
  return Object.fromEntries(Object.entries(host).filter(([key]) => key !== "hostId"));
}

const CHANGED_CONTAINER = "c0000124-0002-4000-8000-000000000002"; // app-r124-web-2

// The answers-changed.json state on a copy of a recorded tree (any API version): the stopped
// app-r124-web-2 is running and the aliases in services' metadata gain app-r124: [beta].
export function applyRecordedChange(tree: Tree): Tree {
  const copy = structuredClone(tree);
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    if (!isMap(v)) return;
    if (v["uuid"] === CHANGED_CONTAINER && v["metadata_kind"] === "container") v["state"] = "running";
    const metadata = v["metadata_kind"] === "service" ? v["metadata"] : undefined;
    if (isMap(metadata) && isMap(metadata["aliases"])) metadata["aliases"]["app-r124"] = ["beta"];
    Object.values(v).forEach(visit);
  };
  visit(copy);
  return copy;
}
