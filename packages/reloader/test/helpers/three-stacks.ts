import { renderTestBackends, renderTestMap } from "../../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../../test-support/src/http/index.ts";
import { localPeerFixture } from "./local-peer-fixture.ts";

// The routes of threeStacks' map.
export const THREE_STACK_ROUTES = {
  "app.dev.tld": "app",
  "legacy.dev.tld": "legacy",
  "shop.dev.tld": "shop",
};

// The stacks app, legacy and shop on backends at 127.0.0.<first>…<first + 2> (closed after the test),
// their `files`, and a fixture (not started) routing them with the host-name --config (localPeerFixture):
// the stack named like the start's host name (legacy) and the one a rename to shop leaves out.
export async function threeStacks(t: { after: (fn: () => unknown) => void }, first: number) {
  const app = await startBackend({ name: "app", host: `127.0.0.${first}` });
  const legacy = await startBackend({ name: "legacy-stack", host: `127.0.0.${first + 1}` });
  const shop = await startBackend({ name: "shop-stack", host: `127.0.0.${first + 2}` });
  t.after(() => Promise.all([app.close(), legacy.close(), shop.close()]));
  const files = {
    backends: renderTestBackends([
      { name: "app", servers: [{ address: app.address }] },
      { name: "legacy", servers: [{ address: legacy.address }] },
      { name: "shop", servers: [{ address: shop.address }] },
    ]),
    map: renderTestMap(THREE_STACK_ROUTES),
  };
  return { ...(await localPeerFixture(t, files)), files };
}
