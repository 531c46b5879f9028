// The synthetic environment of the generator-scale part: stacks of 5 containers, aliases on 10 % of the
// stacks, and 10 % of the containers skipped for a rotating set of reasons.
import { buildTree, type ContainerSpec, type StackSpec, type Tree } from "@rancher-haproxy/test-support";

// Why a skipped container is skipped, in rotation (each is a skip code generate-maps reports).
const SKIPS: readonly ((c: ContainerSpec) => ContainerSpec)[] = [
  (c) => ({ ...c, port: "80a" }), // port-invalid
  (c) => ({ ...c, state: "stopped" }), // not-running
  (c) => ({ ...c, health: "unhealthy" }), // unhealthy
  (c) => ({ ...c, ip: null }), // no-ip
  (c) => ({ ...c, labels: { "send-proxy": "bogus" } }), // proxy-invalid
];

// A tree of `containers` containers (a multiple of 5) plus the proxy's own stack and any `extra` stacks.
export function buildScaleTree(containers: number, extra: readonly StackSpec[] = []): Tree {
  const stacks: StackSpec[] = [];
  const aliases: Record<string, string[]> = {};
  let index = 0;
  for (let s = 0; s < containers / 5; s++) {
    const name = `app-${s}`;
    const list: ContainerSpec[] = [];
    for (let c = 0; c < 5; c++, index++) {
      const container: ContainerSpec = { port: 8080 };
      const skip = SKIPS[Math.floor(index / 10) % SKIPS.length];
      list.push(index % 10 === 9 && skip ? skip(container) : container);
    }
    stacks.push({ name, services: [{ name: "web", containers: list }] });
    if (s % 10 === 3) aliases[name] = [`www-${s}`, `shop-${s}`];
  }
  return buildTree({ domainSelf: { metadata: { aliases } }, stacks: [...stacks, ...extra] });
}
