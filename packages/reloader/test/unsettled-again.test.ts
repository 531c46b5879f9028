// Found by a review: unsettled inputs are reported once per content, but "once" lasted past other files
// going live. A map naming a backend not declared yet, then the running files back, then that same map
// again (a generator that dies between its writes twice, the same way) was waited on without a word:
// no second inputs.unsettled line, and /healthz kept whatever lastError came last.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderTestBackends, renderTestMap } from "../../test-support/src/haproxy/index.ts";
import { startBackend } from "../../test-support/src/http/index.ts";
import { createFixture } from "./helpers/fixture.ts";

test("the same unsettled map written again after the running files came back is reported again", async (t) => {
  const app = await startBackend({ name: "app", host: "127.0.0.89" });
  t.after(() => app.close());
  const good = {
    backends: renderTestBackends([{ name: "app", servers: [{ address: app.address }] }]),
    map: renderTestMap({ "app.dev.tld": "app" }),
  };
  const ghost = renderTestMap({ "app.dev.tld": "app", "ghost.dev.tld": "ghost" });
  const fixture = await createFixture((fn) => t.after(fn), { ...good, args: ["--rescan-interval", "0"] });
  for (const round of [1, 2]) {
    const from = fixture.reloader.logs.length;
    await fixture.write({ map: ghost });
    const said = await fixture.reloader.waitForEvent("inputs.unsettled", { from, timeoutMs: 10_000 });
    assert.match(String(said["reason"]), /backend "ghost" is not declared/, `round ${round}`);
    // The running files back: recognised as live.
    const back = fixture.reloader.logs.length;
    await fixture.write({ map: good.map });
    await fixture.reloader.waitForEvent("inputs.live", { from: back, timeoutMs: 10_000 });
  }
  assert.equal(fixture.reloader.count("inputs.unsettled"), 2);
});
