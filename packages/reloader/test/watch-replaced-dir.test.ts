// The inputs' directory replaced under a running reloader (found by a review): a symlink to it swapped
// as Kubernetes swaps `..data`, with the rescan off. The directory watch stayed on the old directory, so
// neither the swap nor any write after it ever went live (with the default rescan: up to 10 s late each).
import { mkdir, rename, symlink } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { renderTestBackends, renderTestMap, waitFor } from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { createFixture } from "./helpers/fixture.ts";
import { routesTo } from "./helpers/routes-to.ts";

test("the inputs' directory swapped for another (a symlink swap) is applied, and so are writes after it", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.91" });
  t.after(() => app.close());
  const backends = renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]);
  const fixture = await createFixture((fn) => t.after(fn), { deferStart: true });
  const volume = join(fixture.dir, "volume");
  const release = async (name: string, map: Record<string, string>) => {
    await mkdir(join(volume, name), { recursive: true });
    await writeFileAtomic(join(volume, name, "haproxy-backends.cfg"), backends);
    await writeFileAtomic(join(volume, name, "domain.map"), renderTestMap(map));
  };
  await release("release-1", { "one.dev.tld": "app" });
  await symlink("release-1", join(volume, "live"));
  await fixture.start([
    ...["--backend-config", join(volume, "live", "haproxy-backends.cfg")],
    ...["--domain-map", join(volume, "live", "domain.map")],
    ...["--rescan-interval", "0"],
  ]);
  await waitFor(routesTo(fixture.url, "one.dev.tld", "app"), {
    timeoutMs: 10_000,
    message: "one.dev.tld routed",
  });

  await release("release-2", { "one.dev.tld": "app", "two.dev.tld": "app" });
  await symlink("release-2", join(volume, "live.next"));
  await rename(join(volume, "live.next"), join(volume, "live"));
  await waitFor(routesTo(fixture.url, "two.dev.tld", "app"), {
    timeoutMs: 10_000,
    message: "two.dev.tld routed",
  });

  await writeFileAtomic(
    join(volume, "live", "domain.map"),
    renderTestMap({ "one.dev.tld": "app", "two.dev.tld": "app", "three.dev.tld": "app" }),
  );
  await waitFor(routesTo(fixture.url, "three.dev.tld", "app"), {
    timeoutMs: 10_000,
    message: "three.dev.tld routed",
  });
});
