// /self: the real server answers it by the client's IP (the container whose primary_ip it is).
import { serviceKey } from "./hide-service-tokens.js";
import { isMap } from "./render-text.js";

type Obj = Record<string, unknown>;

// What /self is for one client, and a key naming that identity (for response caching).
export interface ResolvedSelf {
  key: string;
  self: Obj;
}

// Resolves client IPs to self objects for one tree: {container, host, service, stack} for a container's
// primary IP (service matched by uuid and name, so a sidekick gets its own, with its token revealed),
// {host: defaultHost} otherwise.
export class SelfResolver {
  private byIp: Map<string, number> | null = null;
  private readonly selves = new Map<number, Obj>();
  private readonly defaultSelf: Obj;

  constructor(
    private readonly tree: Obj,
    private readonly defaultHost: unknown,
    private readonly tokens: ReadonlyMap<string, unknown> = new Map(),
  ) {
    this.defaultSelf = defaultHost === undefined ? {} : { host: defaultHost };
  }

  // The self of a client IP (the "default" answers for an IP no container has).
  resolve(ip: string): ResolvedSelf {
    const index = this.index().get(ip);
    if (index === undefined) return { key: "default", self: this.defaultSelf };
    let self = this.selves.get(index);
    if (self === undefined) {
      self = this.build(this.containers()[index] as Obj);
      this.selves.set(index, self);
    }
    return { key: `c${index}`, self };
  }

  private containers(): unknown[] {
    const list = this.tree["containers"];
    return Array.isArray(list) ? list : [];
  }

  private index(): Map<string, number> {
    if (this.byIp !== null) return this.byIp;
    const byIp = new Map<string, number>();
    this.containers().forEach((c, i) => {
      const ip = isMap(c) ? c["primary_ip"] : undefined;
      if (typeof ip === "string" && ip !== "" && !byIp.has(ip)) byIp.set(ip, i);
    });
    this.byIp = byIp;
    return byIp;
  }

  private build(container: Obj): Obj {
    const host = find(this.tree["hosts"], (h) => h["uuid"] === container["host_uuid"]) ?? this.defaultHost;
    const services = this.tree["services"];
    const found =
      container["service_uuid"] == null
        ? undefined
        : (find(
            services,
            (s) => s["uuid"] === container["service_uuid"] && s["name"] === container["service_name"],
          ) ?? find(services, (s) => s["uuid"] === container["service_uuid"]));
    const token = found === undefined ? undefined : this.tokens.get(serviceKey(found));
    const service = token === undefined || found === undefined ? found : { ...found, token };
    const stack =
      container["stack_uuid"] == null
        ? undefined
        : find(this.tree["stacks"], (s) => s["uuid"] === container["stack_uuid"]);
    const self: Obj = { container };
    if (host !== undefined) self["host"] = host;
    if (service !== undefined) self["service"] = service;
    if (stack !== undefined) self["stack"] = stack;
    return self;
  }
}

function find(list: unknown, predicate: (o: Obj) => boolean): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const item of list) if (isMap(item) && predicate(item)) return item;
  return undefined;
}
