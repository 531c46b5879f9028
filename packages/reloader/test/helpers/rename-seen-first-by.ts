import assert from "node:assert/strict";
import type { Fixture } from "./fixture.ts";
import { setHostName } from "./local-peer-fixture.ts";
import { writeInOnePass } from "./write-one-pass.ts";

// A rename seen first by inputs that never run: the host of a running localPeerFixture (named legacy)
// renamed shop, then `other` written and taken as `event` says (validated with the name shop, not run:
// inputs.rejected, inputs.unsettled), then `files` (the ones `current` runs) written back and live as they
// are, nothing staged. The log indexes before the write of `other` (`from`) and of `files` (`back`).
export async function renameSeenFirstBy(
  fixture: Fixture,
  other: { backends?: string; map?: string },
  event: string,
  files: { backends: string; map: string },
): Promise<{ from: number; back: number }> {
  setHostName(fixture.reloader.pid, "shop");
  const from = fixture.reloader.logs.length;
  await writeInOnePass(fixture, other);
  await fixture.reloader.waitForEvent(event, { from });
  const renamed = await fixture.reloader.waitForEvent("haproxy.host-name-changed", { from });
  assert.deepEqual([renamed["from"], renamed["to"]], ["legacy", "shop"]);
  const back = fixture.reloader.logs.length;
  await writeInOnePass(fixture, files);
  await fixture.reloader.waitForEvent("inputs.live", { from: back });
  return { from, back };
}
