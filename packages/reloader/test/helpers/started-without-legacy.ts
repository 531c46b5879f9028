import assert from "node:assert/strict";
import { httpRequest } from "../../../test-support/src/http/index.ts";
import type { Fixture } from "./fixture.ts";
import { healthzOk } from "./healthz-ok.ts";

// Starts the reloader of a localPeerFixture with `args` and `env` and waits until its start left the stack
// legacy out (for `listen legacy` at `line`) and HAProxy runs the files: its status URL, and `body`
// ("<status> <body>" of a host's answer).
export async function startedWithoutLegacy(
  fixture: Fixture,
  args: string[],
  line: number,
  env: Record<string, string> = {},
): Promise<{ url: string; body: (host: string) => Promise<string> }> {
  await fixture.start(args, env);
  const url = String((await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 }))["url"]);
  const started = await fixture.reloader.waitForEvent("inputs.section-clash");
  assert.deepEqual(started["backends"], [{ backend: "legacy", section: "listen legacy", line }]);
  await healthzOk(url);
  const body = async (host: string) => {
    const answer = await httpRequest({ url: fixture.url, host });
    return `${answer.status} ${answer.body}`;
  };
  return { url, body };
}
