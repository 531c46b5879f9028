// The demo's scenario: two stacks (shop, blog) on demo backends at 127.0.0.x, blog with the alias www
// and an unhealthy third container (skipped, so /explain has something to explain), and the state the
// automatic changes move through (shop's scale, a `store` alias for shop).
import type { Backend, World } from "@rancher-haproxy/test-support";

// STACK_DOMAIN of the demo: browsers resolve *.localhost to this machine, so the hosts open as they are.
export const DEMO_DOMAIN = "demo.localhost";

// The demo backends: each answers its own name (the container that served the request).
export const DEMO_BACKENDS = [
  { name: "shop-web-1", host: "127.0.0.101" },
  { name: "shop-web-2", host: "127.0.0.102" },
  { name: "shop-web-3", host: "127.0.0.103" },
  { name: "blog-web-1", host: "127.0.0.111" },
  { name: "blog-web-2", host: "127.0.0.112" },
  { name: "blog-web-3", host: "127.0.0.113" },
] as const;

// What the changes vary.
export interface DemoState {
  shopScale: number;
  storeAlias: boolean;
}

// Where the demo starts: shop with one container, blog with two, alias www → blog.
export const INITIAL_STATE: DemoState = { shopScale: 1, storeAlias: false };

// `<name>.demo.localhost`.
export const demoHost = (name: string): string => `${name}.${DEMO_DOMAIN}`;

// The metadata world of a state: the containers of shop and blog, and the proxy's aliases.
export function demoWorld(state: DemoState, backends: ReadonlyMap<string, Backend>): World {
  const containers = (stack: string, count: number) =>
    Array.from({ length: count }, (_, i) => {
      const backend = backends.get(`${stack}-web-${i + 1}`);
      if (!backend) throw new Error(`no demo backend ${stack}-web-${i + 1}`);
      return { backend };
    });
  const [blog1, blog2, blog3] = containers("blog", 3);
  return {
    stacks: {
      shop: containers("shop", state.shopScale),
      blog: [blog1!, blog2!, { ...blog3!, health: "unhealthy" }],
    },
    aliases: { blog: ["www"], ...(state.storeAlias ? { shop: ["store"] } : {}) },
  };
}
