// Metadata faults seen from the front door (issue 7, item 2, the "HAProxy keeps answering" half): the
// stand-in → generate-maps → reloader → HAProxy pair, and each fault mode in turn. During a
// fault a concurrent load gets 200 from the expected backends every time; a stack added during the fault
// answers once the fault ends, with no help. (The generator's own files/log checks: generate-maps tests.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../packages/test-support/src/haproxy/index.ts";
import { httpRequest, startBackend, type Backend } from "../packages/test-support/src/http/index.ts";
import { runLoad } from "../packages/test-support/src/load/index.ts";
import { buildTree, type StackSpec, type TreeSpec } from "../packages/test-support/src/metadata/index.ts";
import { METADATA_FAULT_CASES } from "../packages/generate-maps/test/fault-support/metadata-fault-cases.ts";
import { startFaultsPair } from "./helpers/faults-pair.ts";

const stack = (name: string, backend: Backend): StackSpec => ({
  name,
  services: [{ name: "web", port: backend.port, containers: [{ ip: backend.host }] }],
});

test("every metadata fault: HAProxy keeps answering, and a change made during the fault lands after it", async (t) => {
  const alpha = await startBackend({ name: "alpha", host: "127.0.81.1" });
  const bravo = await startBackend({ name: "bravo", host: "127.0.81.2" });
  const fresh = await startBackend({ name: "fresh", host: "127.0.81.3" });
  t.after(() => Promise.all([alpha.close(), bravo.close(), fresh.close()]));
  const stacks = [stack("alpha", alpha), stack("bravo", bravo)];
  const spec = (extra: StackSpec[]): TreeSpec => ({ stacks: [...stacks, ...extra] });
  const pair = await startFaultsPair(t, spec([]));
  const answers = (host: string, name: string) => async () => {
    const answer = await httpRequest({ url: pair.url, host, timeoutMs: 2000 });
    return answer.status === 200 && answer.body === name;
  };
  await waitFor(answers("alpha.dev.tld", "alpha"), { timeoutMs: 20_000, message: "the first routing" });

  const added: StackSpec[] = [];
  let sent = 0;
  for (const [index, fault] of METADATA_FAULT_CASES.entries()) {
    const faultStart = pair.generateMaps.logs.length;
    await pair.metadata.setFault(fault.fault);
    const load = runLoad({
      url: pair.url,
      targets: [
        { host: "alpha.dev.tld", expect: "alpha" },
        { host: "bravo.dev.tld", expect: "bravo" },
      ],
      concurrency: 8,
      keepAlive: true,
      durationMs: 2000,
      // a few hundred requests a second (5 865–7 071 in all), not all the machine takes (82 499): the load
      // only has to be there through the fault; at full speed it took ≈ 20 s of the file's 35 s of CPU.
      pauseMs: 20,
    });
    // A deploy during the fault: a new stack served by `fresh`.
    added.push(stack(`new${index}`, fresh));
    pair.metadata.setTree(buildTree(spec(added)));
    const result = await load;
    sent += result.sent;
    assert.ok(result.sent > 20, `${fault.name}: load ran (${result.sent})`);
    assert.deepEqual(result.failures, [], `${fault.name}: no failed request during the fault`);
    // The fault took effect: generate-maps named it, and (when metadata is unreadable) the stack added
    // during it is not routed yet.
    await pair.generateMaps.waitForEvent(fault.evidence.event, { from: faultStart, timeoutMs: 15_000 });
    if (!fault.readable) {
      const early = await httpRequest({ url: pair.url, host: `new${index}.dev.tld`, timeoutMs: 2000 });
      assert.equal(early.status, 503, `${fault.name}: the stack added during the fault waits for its end`);
    }

    await pair.metadata.setFault(null);
    await waitFor(answers(`new${index}.dev.tld`, "fresh"), {
      timeoutMs: 25_000,
      message: `${fault.name}: the stack added during the fault to answer after it`,
    });
  }
  console.log(
    `metadata faults survived: ${METADATA_FAULT_CASES.length}; requests during faults: ${sent}, failed: 0`,
  );
  assert.equal(pair.reloader.count("haproxy.exited"), 0);
  assert.equal(pair.reloader.count("check.failed"), 0);
});
