// The common start of a change test: backends `app` and a second one (`fresh` unless named) on loopback,
// closed when the test ends, and a reloader fixture whose files route app.dev.tld to `app` alone.
import { renderTestBackends, renderTestMap } from "../../../test-support/src/haproxy/index.ts";
import { startBackend, type Backend } from "../../../test-support/src/http/index.ts";
import { createFixture, type Fixture, type FixtureOptions } from "./fixture.ts";

export async function appFixture(
  t: { after: (fn: () => unknown) => void },
  hosts: readonly [string, string],
  options: FixtureOptions = {},
  second = "fresh",
): Promise<{ app: Backend; other: Backend; fixture: Fixture }> {
  const app = await startBackend({ name: "app", host: hosts[0] });
  const other = await startBackend({ name: second, host: hosts[1] });
  t.after(() => Promise.all([app.close(), other.close()]));
  const fixture = await createFixture((fn) => t.after(fn), {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
    ...options,
  });
  return { app, other, fixture };
}
