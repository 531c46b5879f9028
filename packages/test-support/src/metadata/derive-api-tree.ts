// The other API versions the real server serves from the same answers as 2015-12-19.
import { isMap } from "./render-text.js";
import type { Tree } from "./types.js";

// The API versions a server given a single 2015-12-19 tree serves (plus `latest` = the highest).
export const DERIVED_API_VERSIONS = ["2015-07-25", "2015-12-19", "2016-07-29"] as const;

type Obj = Record<string, unknown>;

// Rebuilds the 2015-07-25 or 2016-07-29 tree from a 2015-12-19 one (see the fixtures README):
// 2016-07-29 lower-cases names, empties ports to null, rewrites agent-ip port bindings to 0.0.0.0,
// turns null links into {} and empty sidekicks into null, drops hostId and adds `environments`;
// 2015-07-25 lists services' containers and stacks' services by name. Anything else is returned as is.
export function deriveApiTree(base: Tree, apiVersion: string): Tree {
  if (apiVersion === "2016-07-29") return derive20160729(base);
  if (apiVersion === "2015-07-25") return derive20150725(base);
  return base;
}

function derive20150725(base: Tree): Tree {
  const names = (list: unknown): unknown =>
    Array.isArray(list) ? list.map((item) => (isMap(item) ? item["name"] : item)) : list;
  const service = (s: unknown): unknown => (isMap(s) ? patch(s, "containers", names) : s);
  const stack = (s: unknown): unknown => (isMap(s) ? patch(s, "services", names) : s);
  return { ...base, services: mapList(base.services, service), stacks: mapList(base.stacks, stack) };
}

function derive20160729(base: Tree): Tree {
  const agentIps = new Map<unknown, unknown>();
  for (const host of asList(base.hosts)) if (isMap(host)) agentIps.set(host["uuid"], host["agent_ip"]);
  const memo = new Map<unknown, unknown>();
  const once = (fn: (o: Obj) => Obj) => (v: unknown) => {
    if (!isMap(v)) return v;
    if (!memo.has(v)) memo.set(v, fn(v));
    return memo.get(v);
  };
  const container = once((c) => {
    const agentIp = agentIps.get(c["host_uuid"]);
    const rebind = (p: unknown) =>
      typeof p === "string" &&
      typeof agentIp === "string" &&
      p.split(":").length === 3 &&
      p.startsWith(agentIp + ":")
        ? "0.0.0.0" + p.slice(agentIp.length)
        : p;
    const ports = (v: unknown) => (Array.isArray(v) ? (v.length > 0 ? v.map(rebind) : null) : v);
    return lowerNames(patch(c, "ports", ports), ["name", "service_name", "stack_name"]);
  });
  const service = once((s) => {
    const sidekicks = (v: unknown) => (Array.isArray(v) ? (v.length > 0 ? v.map(lower) : null) : v);
    let out = patch(s, "containers", (v) => mapList(v, container));
    out = patch(
      patch(out, "links", (v) => (v === null ? {} : v)),
      "sidekicks",
      sidekicks,
    );
    return lowerNames(out, ["name", "primary_service_name", "stack_name"]);
  });
  const stack = once((s) =>
    lowerNames(
      patch(s, "services", (v) => mapList(v, service)),
      ["name"],
    ),
  );
  const withoutHostId = (h: unknown) =>
    isMap(h) ? Object.fromEntries(Object.entries(h).filter(([k]) => k !== "hostId")) : h;
  const out: Tree = {
    ...base,
    containers: mapList(base.containers, container),
    services: mapList(base.services, service),
    stacks: mapList(base.stacks, stack),
    hosts: mapList(base.hosts, withoutHostId),
  };
  if (!("environments" in out)) out["environments"] = null;
  if (isMap(base.defaultHost)) out.defaultHost = withoutHostId(base.defaultHost) as Obj;
  return out;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function mapList(v: unknown, fn: (item: unknown) => unknown): unknown {
  return Array.isArray(v) ? v.map(fn) : v;
}

// A copy of `o` with `key` replaced by fn(value), when `o` has that key.
function patch(o: Obj, key: string, fn: (v: unknown) => unknown): Obj {
  return key in o ? { ...o, [key]: fn(o[key]) } : { ...o };
}

function lower(v: unknown): unknown {
  return typeof v === "string" ? v.toLowerCase() : v;
}

function lowerNames(o: Obj, keys: string[]): Obj {
  for (const key of keys) if (Object.hasOwn(o, key)) o[key] = lower(o[key]);
  return o;
}
