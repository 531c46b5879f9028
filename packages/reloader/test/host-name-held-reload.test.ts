// A reload held while MAX_OLD_WORKERS old workers run (reload/old-workers-cap.ts) takes, once the hold
// ends, the table validated when it was held: the same bytes are not parsed again at each recheck. A
// rename of the host meanwhile changes what a --config's `listen "$HAPROXY_LOCALPEER"` names, so that
// table is validated again with the new name. Until 2026-12-05 the held table was staged as validated
// with the old name: `haproxy -c` met `backend beta` beside `listen beta`, twice (check.failed), and the
// change was refused until the inputs changed again. The reloader runs in a UTS namespace of its own (the
// suite runs as root), renamed mid-run (nsenter).
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../../test-support/src/haproxy/index.ts";
import { httpRequest } from "../../test-support/src/http/index.ts";
import { MAX_OLD_WORKERS } from "../src/reload/old-workers-cap.ts";
import { localPeerFixture, setHostName } from "./helpers/local-peer-fixture.ts";
import { alphaBetaInputs, reloadCounter, stackOldWorkers } from "./helpers/stacked-old-workers.ts";
import { writeInOnePass } from "./helpers/write-one-pass.ts";

// How the held change ends: beta left out, the routing is alpha's as before (a runtime pass of no step).
const APPLIED_OR_FAILED = ["reload.applied", "runtime.applied", "check.failed"];

test(`a reload held at ${MAX_OLD_WORKERS} old workers while the host is renamed like a stack leaves that stack out once the hold ends`, async (t) => {
  const { alphaOnly, withBetaNoted } = await alphaBetaInputs(t);
  const { fixture, userConfig, line } = await localPeerFixture(t, alphaOnly);
  await fixture.start(["--config", userConfig, "--rescan-interval", "0", "--status-port", "0"]);
  const { streams, full } = await stackOldWorkers(t, fixture, MAX_OLD_WORKERS, [
    alphaOnly,
    withBetaNoted("# with beta"),
  ]);

  // beta comes while the reload is held, validated with the host name `legacy`: nothing is left out.
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, withBetaNoted("# held"));
  await fixture.reloader.waitForEvent("reload.held", { from });
  assert.equal((await reloadCounter(fixture)).reloads, full.reloads, "held: no reload");

  // Renamed `beta` during the hold; one stream ends, so does its worker, and the hold with it.
  setHostName(fixture.reloader.pid, "beta");
  const renamed = fixture.reloader.logs.length;
  streams.shift()?.close();
  let outcome: string | undefined;
  await waitFor(
    () => {
      const events = fixture.reloader.logs.slice(renamed).map((entry) => String(entry["event"]));
      outcome = events.find((event) => APPLIED_OR_FAILED.includes(event));
      return outcome !== undefined;
    },
    { timeoutMs: 20_000, message: APPLIED_OR_FAILED.join(" or ") },
  );
  assert.notEqual(outcome, "check.failed", "the held table was staged as validated with `legacy`");
  const clash = await fixture.reloader.waitForEvent("inputs.section-clash", { from: renamed });
  assert.deepEqual(clash["backends"], [{ backend: "beta", section: "listen beta", line }]);
  const answer = await httpRequest({ url: fixture.url, host: "beta.dev.tld" });
  assert.deepEqual([answer.status, answer.body], [404, "mine"]);
  const alpha = await httpRequest({ url: fixture.url, host: "alpha.dev.tld" });
  assert.deepEqual([alpha.status, alpha.body], [200, "alpha"]);
});
