// Synthetic but realistic 2015-12-19 trees from a compact spec (unit tests, the demo, 50 000-container benchmarks).
import { deterministicUuid } from "./deterministic-uuid.js";
import { makeStack } from "./make-objects.js";
import { TreeBuilder } from "./tree-builder.js";
import type { DomainSelfSpec, TreeSpec } from "./tree-spec.js";
import type { Stack, Tree } from "./types.js";

// Builds the tree a spec describes: every field real objects have, uuids derived from names (same spec,
// same tree), containers shared by `containers`, `services` and `stacks` like Rancher's own answers.
// Unless `domainSelf` is false, the proxy's own stack comes first (see DomainSelfSpec).
export function buildTree(spec: TreeSpec): Tree {
  const builder = new TreeBuilder(spec);
  if (spec.domainSelf !== false) builder.stacks.push(buildDomainSelf(builder, spec.domainSelf ?? {}));
  for (const st of spec.stacks ?? []) {
    const stackUuid = st.uuid ?? deterministicUuid("stack", st.name);
    const services = st.services.map((s, i) => builder.addService(st.name, stackUuid, s, i));
    builder.stacks.push(makeStack(st.name, stackUuid, builder.env, services));
  }
  for (const c of spec.standalone ?? []) builder.addStandalone(c);
  return builder.tree();
}

// The proxy's own stack as Cattle answers it: primary HTTP with sidekick HTTP-generate-maps, both
// services with the same uuid and the same user metadata; the sidekick container has the self IP.
function buildDomainSelf(builder: TreeBuilder, self: DomainSelfSpec): Stack {
  const stack = self.stackName ?? "lb";
  const primary = self.serviceName ?? "HTTP";
  const sidekick = self.sidekickName ?? "HTTP-generate-maps";
  const stackUuid = deterministicUuid("stack", stack);
  const uuid = deterministicUuid("service", stack, primary);
  const metadata = self.metadata ?? {};
  const agentIp = String(builder.hostFor(self.host).agent_ip);
  const bindings = ["80:80/tcp", "443:443/tcp", "1936:1936/tcp"];
  const lb = builder.addService(
    stack,
    stackUuid,
    {
      name: primary,
      labels: { "io.rancher.sidekicks": sidekick },
      metadata,
      containers: [
        {
          ip: self.lbIp === undefined ? "127.0.0.2" : self.lbIp,
          host: self.host,
          ports: bindings.map((b) => `${agentIp}:${b}`),
        },
      ],
    },
    0,
  );
  const maps = builder.addService(
    stack,
    stackUuid,
    {
      name: sidekick,
      metadata: structuredClone(metadata),
      containers: [{ ip: self.ip ?? "127.0.0.1", host: self.host }],
    },
    1,
    primary,
    uuid,
  );
  Object.assign(lb, { ports: bindings, sidekicks: [sidekick] });
  Object.assign(maps, { create_index: 1, sidekicks: [sidekick] });
  return makeStack(stack, stackUuid, builder.env, [lb, maps]);
}
